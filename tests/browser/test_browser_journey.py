"""The entrant's journey in Debian Chromium against a real ``shortlist serve`` with the real model."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

SAMPLE = (REPO_ROOT / "knowledge" / "samples" / "hospital-at-home-draft.md").read_text(encoding="utf-8")
REVIEW_TIMEOUT_MS = 120_000
HOSTILE = (
    "## Impact\n\n<img src=x onerror=\"window.__xss='img'\"> Median waits fell from 18 weeks to 6 weeks. "
    "<script>window.__xss='script'</script>\n\n"
    "## Scale\n\n\"><svg onload=\"window.__xss='svg'\"></svg> The service has transformed care for everyone.\n"
)


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser profile on the page; any script error fails the test."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("body[data-ready='true']")
    yield page
    context.close()
    assert not errors, errors


def choose_category(page: Any, programme: str = "hsj-awards-2025", category: str = "acute-innovation") -> None:
    page.get_by_label("Awards programme").select_option(programme)
    page.wait_for_selector(f"#category option[value='{category}']", state="attached")
    page.get_by_label("Category").select_option(category)
    page.wait_for_selector("#criterion-boxes textarea[id='box-impact']", state="attached")


def review(page: Any, text: str | None) -> None:
    from playwright.sync_api import expect

    if text is not None:
        page.get_by_label("Draft text").fill(text)
    page.get_by_role("button", name="Review my draft").click()
    expect(page.locator("#review-status")).to_contain_text("Review ready", timeout=REVIEW_TIMEOUT_MS)


def ask(page: Any, question: str) -> Any:
    from playwright.sync_api import expect

    expect(page.get_by_label("Your question")).to_be_enabled()
    before = page.locator(".turn-assistant:not(.turn-pending)").count()
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".turn-assistant:not(.turn-pending)")).to_have_count(before + 1, timeout=REVIEW_TIMEOUT_MS)
    return page.locator(".turn-assistant").last


def test_entrant_reviews_a_draft_and_gets_a_cited_answer(page: Any, screenshots: Path) -> None:
    from playwright.sync_api import expect

    page.screenshot(path=screenshots / "01-start.png")
    choose_category(page)
    review(page, SAMPLE)

    cards = page.locator("#criteria > li")
    expect(cards).to_have_count(5)
    impact = cards.filter(has=page.get_by_role("heading", name="Impact", exact=True))
    expect(impact.locator(".missing-title")).to_contain_text(["Testimonial"])
    expect(impact.locator(".badge-band")).to_contain_text("Band")
    impact.get_by_text("How other entries show it").first.click()
    expect(impact.locator(".exemplar figcaption").first).to_be_visible()
    expect(page.locator("#draft-view mark.hl-evidence").first).to_be_visible()
    page.screenshot(path=screenshots / "02-review.png", full_page=True)

    answer = ask(page, "what's missing in impact?")
    draft_quote = answer.locator(".citation-draft blockquote").first
    expect(draft_quote).to_be_visible()
    assert draft_quote.inner_text() in SAMPLE
    assert "testimonial" in answer.locator(".turn-body").inner_text().lower()
    page.locator(".panel-chat").screenshot(path=screenshots / "03-chat-answer.png")

    answer.get_by_role("button", name="Show in draft").first.click()
    cited = page.locator("#draft-view mark.hl-cited")
    expect(cited.first).to_be_in_viewport()
    assert "".join(cited.all_inner_texts()) == draft_quote.inner_text()
    page.screenshot(path=screenshots / "04-citation-in-draft.png")

    with page.expect_download() as markdown:
        page.get_by_role("button", name="Download Markdown").click()
    markdown.value.save_as(screenshots / "review.md")
    exported = (screenshots / "review.md").read_text(encoding="utf-8")
    assert "## Impact" in exported and "**Testimonial**" in exported
    with page.expect_download() as html:
        page.get_by_role("button", name="Download HTML").click()
    html.value.save_as(screenshots / "review.html")
    assert "<h2>Impact</h2>" in (screenshots / "review.html").read_text(encoding="utf-8")


def test_an_entrant_can_ask_for_eligibility_with_the_review(page: Any, screenshots: Path) -> None:
    from playwright.sync_api import expect

    choose_category(page)
    review(page, SAMPLE)
    expect(page.locator("#eligibility section")).to_have_count(0)  # not asked for: not shown

    page.get_by_text("Also check eligibility (optional)").click()
    page.get_by_label("Lead organisation").fill("Northgate Hospitals NHS Foundation Trust")
    page.get_by_label("Its sector").select_option("nhs_provider")
    review(page, None)
    verdict = page.locator("#eligibility-heading")
    expect(verdict).to_contain_text("Eligibility:")
    rules = page.locator("#eligibility li")
    expect(rules).to_have_count(12)
    expect(page.locator("#eligibility li.rule-pass").filter(has_text="Northgate")).to_have_count(1)
    page.locator("#eligibility").screenshot(path=screenshots / "05-eligibility.png")


def test_write_per_criterion_counts_words_live_against_the_limit(page: Any, screenshots: Path) -> None:
    from playwright.sync_api import expect

    choose_category(page)
    page.get_by_role("tab", name="Paste").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Write per criterion")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-write")).to_be_visible()

    page.get_by_label("Impact", exact=True).fill("Waits fell from 18 weeks to 6 weeks. " + "word " * 393)
    count = page.locator("#box-impact-count")
    expect(count).to_have_text("401 / 400 words — 1 over the limit")
    expect(count).to_have_class("count count-over")
    page.get_by_label("Ambition", exact=True).fill("In 2022 the median wait was 18 weeks against a target of 8.")
    expect(page.locator("#box-ambition-count")).to_have_text("13 / 400 words")
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('select, textarea, input')].filter(e => !e.labels.length).map(e => e.id)"
    )
    assert unlabelled == []
    page.screenshot(path=screenshots / "05-write-per-criterion.png")

    review(page, None)
    impact = page.locator("#criteria > li").filter(has=page.get_by_role("heading", name="Impact", exact=True))
    expect(impact.locator(".badge-bad")).to_contain_text(["401 / 400 words"])
    expect(page.locator(".warnings")).to_contain_text("Over the word limit")


def test_hostile_draft_is_shown_as_text_and_never_runs(page: Any, screenshots: Path) -> None:
    from playwright.sync_api import expect

    choose_category(page)
    review(page, HOSTILE)
    draft = page.locator("#draft-view")
    expect(draft).to_contain_text("<script>window.__xss='script'</script>")
    assert page.evaluate("window.__xss") is None
    assert page.locator("#review img, #review script, #review svg, #chat-log img, #chat-log script").count() == 0

    answer = ask(page, "what's missing in scale?")
    assert page.evaluate("window.__xss") is None
    assert answer.locator("img, script, svg").count() == 0

    exported = page.evaluate(
        """async () => {
            const { reviewToHtml } = await import('/static/exporters.js');
            const hostile = "<script>window.__xss='export'</script>";
            const review = { programme: { name: hostile, year: 2025 }, category: { title: hostile }, warnings: [],
              criteria: [{ title: hostile, section_found: true, word_count: 3, word_limit: null, over_limit: false,
                band: null, evidence: [], missing: [], unsupported_claims: [{ quote: hostile }] }] };
            return reviewToHtml(review, {});
        }"""
    )
    assert "<script>window" not in exported and "&lt;script&gt;window" in exported
    page.screenshot(path=screenshots / "06-hostile-draft.png", full_page=True)


def test_conversation_and_versions_survive_a_server_restart(page: Any, live_server: Any, screenshots: Path) -> None:
    from playwright.sync_api import expect

    choose_category(page)
    review(page, SAMPLE)
    ask(page, "what's missing overall?")
    redraft = SAMPLE + "\nA carer told us: \"[quote from a carer, with consent]\".\n"
    review(page, redraft)
    expect(page.locator("#chat-state")).to_contain_text("draft version 2")
    conversation_id = page.evaluate("sessionStorage.getItem('shortlist.conversation')")
    token = page.evaluate(f"JSON.parse(sessionStorage.getItem('shortlist.tokens'))['{conversation_id}']")
    assert conversation_id and token
    assert page.evaluate("localStorage.length") == 0, "nothing about the conversation outlives the tab"

    live_server.restart()
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator("#chat-log .turn")).to_have_count(2)
    expect(page.locator("#chat-state")).to_contain_text("draft version 2")
    expect(page.get_by_label("Draft text")).to_have_value(redraft)
    url = f"{live_server.url}/api/conversations/{conversation_id}"
    assert page.request.get(url).status == 404, "without its token a conversation is not there"
    stored = page.request.get(url, headers={"Authorization": f"Bearer {token}"}).json()
    assert [v["number"] for v in stored["versions"]] == [1, 2]
    assert [t["role"] for t in stored["turns"]] == ["user", "assistant"]
    page.screenshot(path=screenshots / "07-after-restart.png")

    # Deleting it from the page removes it from the server; the draft stays in the box.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete this conversation").click()
    expect(page.locator("#chat-state")).to_contain_text("Conversation deleted")
    expect(page.locator("#chat-log .turn")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete this conversation")).to_be_hidden()
    expect(page.get_by_label("Draft text")).to_have_value(redraft)
    assert page.request.get(url, headers={"Authorization": f"Bearer {token}"}).status == 404
    assert page.evaluate("sessionStorage.getItem('shortlist.conversation')") is None


def test_the_api_docs_render_offline_from_local_files(browser: Any, live_server: Any, screenshots: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:")) else None)
    page.goto(f"{live_server.url}/docs")
    page.wait_for_function("document.querySelectorAll('.opblock').length > 10", timeout=30_000)
    assert "/api/reviews" in page.inner_text("#swagger-ui")  # the operations are listed
    page.screenshot(path=str(screenshots / "api-docs.png"))
    context.close()
    assert not outside, outside


def test_a_pasted_section_is_saved_only_when_chosen_and_undo_brings_the_old_text_back(
    page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    choose_category(page)
    review(page, SAMPLE)
    pasted = ("Since March 2025 two neighbouring trusts, Kelby General and Ashdown Community Health, have adopted "
              "our virtual ward protocol and trained their own teams with our support, caring for 212 older "
              "people at home between them.")
    checked = ask(page, f"does this show scale properly?\n\n{pasted}")
    expect(page.get_by_label("Draft text")).to_have_value(SAMPLE)  # a question about a paste changes nothing
    replace = checked.get_by_role("button", name="Replace Scale with this")
    expect(replace).to_be_visible()
    before = page.locator(".turn-assistant:not(.turn-pending)").count()
    replace.click()
    expect(page.locator(".turn-assistant:not(.turn-pending)")).to_have_count(before + 1, timeout=REVIEW_TIMEOUT_MS)
    saved = page.locator(".turn-assistant").last
    expect(page.locator("#chat-state")).to_contain_text("draft version 2")
    expect(page.get_by_label("Draft text")).to_have_value(re.compile("Kelby General"))
    page.locator(".panel-chat").screenshot(path=screenshots / "08-replaced-with-undo.png")
    saved.get_by_role("button", name=re.compile("^Undo")).click()
    expect(page.locator("#chat-log [role=status]").last).to_contain_text("restored version 1")
    expect(page.get_by_label("Draft text")).to_have_value(SAMPLE)
    expect(page.locator("#chat-state")).to_contain_text("draft version 3")
