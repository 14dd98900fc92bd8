"""The HTML report opened in the system Chromium: it renders its cards, plots and tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant
from eval.runner import plan, run

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


@pytest.fixture(scope="module")
def report(fake_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real report from a small run with the fake embeddings (same code path, seconds not minutes)."""
    out = tmp_path_factory.mktemp("eval-report")
    planned = plan("evidence", None, limit=4) + plan("retrieval", None, limit=6)
    return run(fake_assistant, planned, out_dir=out, argv=["test"]).report


def test_report_renders_cards_plots_and_tables_in_chromium(report: Path, artifacts_dir: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            assert "Shortlist eval" in page.title()
            assert page.locator(".card").count() >= 5
            assert page.locator(".card .value").first.inner_text().strip() not in ("", "—")
            assert page.locator("section#evidence h2").inner_text().startswith("Evidence detection")
            assert page.locator("section#retrieval table").count() >= 1
            images = page.locator("img")
            assert images.count() >= 4
            widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
            assert all(width > 100 for width in widths), widths
            assert page.locator("section#run").inner_text().count("knowledge hash") == 1
            page.screenshot(path=str(artifacts_dir / "eval-report.png"), full_page=True)
        finally:
            browser.close()
    assert not errors
