"""The chat suite's checks on their own: citation validity and grounding rules."""

from __future__ import annotations

import pytest

from assistant.knowledge import Knowledge, Passage
from assistant.packs import Category
from assistant.settings import REPO_ROOT
from eval.grounding import quotations, unsupported
from eval.suites.chat import citation_problem

DRAFT = "Outcomes\nWaits fell from 11 weeks to 17 days. Patients said it was quicker."


@pytest.fixture(scope="module")
def passages() -> dict[str, Passage]:
    knowledge = Knowledge.load(REPO_ROOT / "knowledge")
    return {p.id: p for kind in knowledge.passages().values() for p in kind}


@pytest.fixture(scope="module")
def category() -> Category:
    return Knowledge.load(REPO_ROOT / "knowledge").packs.find_category("clinical-support-service")[1]


def _draft(quote: str, start: int | None, source: str = "your draft, version 1") -> dict[str, object]:
    end = None if start is None else start + len(quote)
    return {"kind": "draft", "ref": "draft", "quote": quote, "start": start, "end": end, "source": source}


def test_draft_citation_must_match_its_offsets(passages: dict[str, Passage]) -> None:
    quote = "Waits fell from 11 weeks to 17 days."
    assert citation_problem(_draft(quote, DRAFT.index(quote)), DRAFT, passages) is None
    assert citation_problem(_draft(quote, DRAFT.index(quote) + 1), DRAFT, passages) is not None
    assert citation_problem(_draft(quote, None), DRAFT, passages) == "draft citation without offsets"


def test_redraft_citation_needs_its_quote_in_draft_or_request(passages: dict[str, Passage]) -> None:
    request = "Here is my new section: We now run in 4 trusts."
    later = _draft("We now run in 4 trusts.", 500, source="your draft, version 2")
    assert citation_problem(later, DRAFT, passages, request=request) is None
    assert citation_problem(later, DRAFT, passages, request="no") is not None


def test_passage_citation_must_exist_and_quote_its_text(passages: dict[str, Passage], category: Category) -> None:
    passage = passages["guide-baseline#p2"]
    good = {"kind": "guidance", "ref": passage.id, "quote": passage.text[:80]}
    assert citation_problem(good, DRAFT, passages) is None
    assert citation_problem({**good, "quote": "Invented words not in the passage."}, DRAFT, passages)
    assert citation_problem({**good, "ref": "guide-nothing#p1"}, DRAFT, passages)
    criterion = category.criteria[0]
    on_criterion = {"kind": "criteria", "ref": criterion.id, "quote": criterion.questions[0]}
    assert citation_problem(on_criterion, DRAFT, passages, category) is None
    assert citation_problem({**on_criterion, "ref": "no-such-criterion"}, DRAFT, passages, category)


def test_placeholder_quotes_are_suggestions_not_quotations() -> None:
    answer = 'Write "from [baseline figure] in [period] to [result]" and quote “it changed my week” from a carer.'
    assert quotations(answer) == ["it changed my week"]
    assert [u.text for u in unsupported(answer, [DRAFT])] == ["it changed my week"]
    assert unsupported("Waits fell from 11 weeks to 17 days, 11 weeks.", [DRAFT]) == []
