"""Default mode (no LLM): answers quote the entrant's own sentences and name their criteria."""

from __future__ import annotations

import re

import pytest

from assistant.chat import ChatEngine, Turn
from assistant.service import Assistant

CATEGORY = "hsj-awards-2025/acute-innovation"
TITLES = ("Ambition", "Collaboration", "Impact", "Scale", "Sustainability")


def _quoted_draft_sentences(turn: Turn, draft: str) -> list[str]:
    """Sentences in “curly quotes” in the answer that are exact substrings of the draft."""
    return [q for q in re.findall(r"“([^”]+)”", turn.content) if q in draft and len(q.split()) >= 5]


def _assert_draft_citations_are_exact(turn: Turn, draft: str) -> None:
    for citation in turn.citations:
        if citation.kind == "draft":
            assert citation.start is not None and citation.end is not None
            assert draft[citation.start : citation.end] == citation.quote


@pytest.fixture(scope="module")
def real_engine(real_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> ChatEngine:
    from assistant.chat import build_chat_engine

    return build_chat_engine(real_assistant, database_path=tmp_path_factory.mktemp("chat") / "chat.sqlite3")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("message", "intent", "criterion", "must_quote"),
    [
        ("whats missing?", "missing_overall", None,
         "The team developed the pathway and the operating policy over six months."),
        ("whats missing frm my impact bit?", "missing_criterion", "impact",
         "The service has transformed the experience of older people and their families."),
        ("how do i improve collaboration", "improve_criterion", "collaboration",
         "The team developed the pathway and the operating policy over six months."),
        ("what's missing from scale", "missing_criterion", "scale",
         "We will roll the model out to our second hospital site next year"),
        ("what do judges look for in impact", "judges_look_for", "impact",
         "Since launch in April 2023 the service has cared for 1,146 patients"),
        ("what does sustainability mean", "criteria_question", "sustainability",
         "The service is now part of the trust's core urgent care offer"),
    ],
)
def test_default_answers_quote_the_draft_and_name_the_criterion(
    real_engine: ChatEngine, sample: str, message: str, intent: str, criterion: str | None, must_quote: str
) -> None:
    conversation = real_engine.create(CATEGORY, sample)
    turn = real_engine.reply(conversation.id, message)
    assert (turn.intent, turn.criterion) == (intent, criterion)
    assert must_quote in turn.content
    assert _quoted_draft_sentences(turn, sample), "the answer quotes the entrant's own sentences"
    named = [title for title in TITLES if title in turn.content]
    assert named if criterion is None else any(t.lower() == criterion for t in named)
    assert any(c.kind == "draft" for c in turn.citations)
    _assert_draft_citations_are_exact(turn, sample)


@pytest.mark.slow
def test_overall_answer_names_every_criterion_and_evidence_type(real_engine: ChatEngine, sample: str) -> None:
    turn = real_engine.answer(sample, CATEGORY, "what's missing from my entry?")
    for title in TITLES:
        assert f"**{title}**" in turn.content
    assert "Staff involvement" in turn.content and "Testimonial" in turn.content


@pytest.mark.slow
def test_examples_cite_exemplar_passages_with_their_source(real_engine: ChatEngine, sample: str) -> None:
    turn = real_engine.answer(sample, CATEGORY, "can u show me how other winners did scale")
    exemplars = [c for c in turn.citations if c.kind == "exemplar"]
    assert exemplars
    for citation in exemplars:
        assert citation.ref in turn.content and citation.source in turn.content
        assert citation.quote in turn.content
    assert "Spread beyond the team".lower() in turn.content.lower()


@pytest.mark.slow
def test_missing_testimonial_example_shows_the_testimonial_sentence(real_engine: ChatEngine, sample: str) -> None:
    turn = real_engine.answer(sample, CATEGORY, "whats missing in impact")
    quote = next(c.quote for c in turn.citations if c.kind == "exemplar")
    assert re.search(r"\bsaid\b|told us|“|\"", quote), quote


@pytest.mark.slow
def test_revised_section_is_re_reviewed_and_the_change_is_reported(real_engine: ChatEngine, sample: str) -> None:
    conversation = real_engine.create(CATEGORY, sample)
    new = ("The model went live at Westmoor Community Hospital in March 2024 and has treated 212 patients there. "
           "Two neighbouring trusts, Kelby and Ashdown, adopted our protocols in 2024.")
    turn = real_engine.reply(conversation.id, f"here's my new scale section: {new}")
    assert (turn.intent, turn.criterion) == ("revise_section", "scale")
    assert "version 2" in turn.content and "**Scale**" in turn.content
    assert re.search(r"\*\*Scale\*\*: added [^;]*spread beyond the team", turn.content)
    assert re.search(r"band 1 → \d", turn.content)
    assert "Two neighbouring trusts, Kelby and Ashdown, adopted our protocols in 2024." in turn.content
    saved = real_engine.get(conversation.id)
    assert new in saved.versions[-1].text and "## Scale" in saved.versions[-1].text
    _assert_draft_citations_are_exact(turn, saved.versions[-1].text)


@pytest.mark.slow
def test_missing_section_is_appended_under_its_heading(real_engine: ChatEngine, sample: str) -> None:
    draft = sample.split("## Scale")[0]
    conversation = real_engine.create(CATEGORY, draft)
    turn = real_engine.reply(conversation.id, "here is my scale section: Two neighbouring trusts, Kelby and "
                                              "Ashdown, adopted our protocols in 2024 and treated 212 patients.")
    assert "added yours" in turn.content
    revised = real_engine.get(conversation.id).versions[-1].text
    assert revised.startswith(draft.rstrip())
    assert revised.rstrip().endswith("## Scale\n\nTwo neighbouring trusts, Kelby and Ashdown, adopted our protocols in "
                                     "2024 and treated 212 patients.")


@pytest.mark.slow
def test_eligibility_reads_the_stated_sector_and_cites_the_rules(real_engine: ChatEngine, sample: str) -> None:
    turn = real_engine.answer(sample, "hsj-partnership-2019/clinical-support-service",
                              "am i eligible? we're a private company working with an NHS trust")
    assert turn.intent == "eligibility"
    rules = [c for c in turn.citations if c.kind == "criteria" and c.ref.endswith("#eligibility")]
    assert rules and rules[0].quote in turn.content
    assert "private" in turn.content.lower()


@pytest.mark.slow
def test_word_counts_name_each_criterion_with_its_limit(real_engine: ChatEngine, sample: str) -> None:
    turn = real_engine.answer(sample, CATEGORY, "is this too long")
    assert turn.intent == "word_counts"
    for title in TITLES:
        assert re.search(rf"\*\*{title}\*\*: \d+ words of 400", turn.content)
