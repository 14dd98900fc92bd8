"""The HTML report in real Chromium: it renders, sorts, opens an entry's details, and is screenshotted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.batch import load_path, run_batch, write_report
from assistant.batch.cache import ResultCache
from assistant.service import Assistant
from tests.batch.planted import PLANTED

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("the system Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


def test_the_batch_report_renders_sorts_and_opens_details_in_chromium(
    browser: Any, batch_assistant: Assistant, planted_batch: Path, tmp_path: Path, artifacts_dir: Path
) -> None:
    programme = batch_assistant.packs.programme("hsj-awards-2025")
    items = load_path(planted_batch, programme=programme, mapping=None, limits=batch_assistant.settings.limits)
    report = run_batch(batch_assistant, items, programme, cache=ResultCache(tmp_path / "cache.sqlite3"))
    page_path = tmp_path / "report.html"
    write_report(report, page_path, batch_assistant.settings.prompts_dir)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: errors.append(request.url) if not request.url.startswith("file:") else None)
    page.goto(page_path.as_uri())
    assert page.title().startswith("Eligibility pre-check")
    assert page.locator(".card strong").first.inner_text() == str(len(PLANTED))
    assert page.locator("svg[role=img]").count() == 1 + len(report.summary.rules)
    rows = page.locator("#entries-table tbody tr")
    assert rows.count() == len(PLANTED)

    page.get_by_role("button", name="Verdict").click()
    assert page.locator("th:has(button:text-is('Verdict'))").get_attribute("aria-sort") == "ascending"
    verdicts = [rows.nth(i).get_attribute("data-verdict") for i in range(rows.count())]
    assert verdicts == sorted(verdicts)
    page.get_by_role("button", name="Verdict").click()
    verdicts = [rows.nth(i).get_attribute("data-verdict") for i in range(rows.count())]
    assert verdicts == sorted(verdicts, reverse=True)

    page.select_option("#verdict-filter", "ineligible")
    visible = [rows.nth(i) for i in range(rows.count()) if rows.nth(i).is_visible()]
    assert {row.get_attribute("data-verdict") for row in visible} == {"ineligible"}
    page.select_option("#verdict-filter", "")

    page.get_by_role("link", name="corrupt", exact=True).click()
    details = page.locator("details", has_text="corrupt.docx")
    assert details.get_attribute("open") is not None
    assert "could not be checked" in details.inner_text()
    page.locator("details", has_text="ai-instruction.md").locator("summary").click()
    assert "Note to AI reviewers" in page.locator("details", has_text="ai-instruction.md").inner_text()

    page.screenshot(path=str(artifacts_dir / "batch_report.png"), full_page=True)
    assert errors == []
    page.close()
