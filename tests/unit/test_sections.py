"""Finding each criterion's answer: exact, variant, numbered and bold headings, lead-ins."""

from __future__ import annotations

import pytest

from assistant.backends.embeddings import FakeEmbeddings
from assistant.packs import Category, PackLibrary, Programme
from assistant.sections import criterion_texts, find_sections, match_heading, normalise
from assistant.settings import REPO_ROOT

LIBRARY = PackLibrary.from_dir(REPO_ROOT / "knowledge" / "programmes")
EMBED = FakeEmbeddings(384)


def _category(ref: str) -> tuple[Programme, Category]:
    return LIBRARY.find_category(ref)


def _sections(text: str, ref: str) -> dict[str, str]:
    programme, category = _category(ref)
    vectors = EMBED.embed_array(criterion_texts(programme, category))
    found = find_sections(
        text, programme=programme, category=category, embed=EMBED.embed_array, criterion_vectors=vectors
    )
    return {s.criterion: text[s.start : s.end] for s in found.sections if s.criterion}


@pytest.mark.parametrize(
    ("heading", "criterion"),
    [
        ("Outcomes", "outcomes"),
        ("Results", "outcomes"),
        ("What we achieved", "outcomes"),
        ("Q3 – Spread", "spread"),
        ("3. Sharing our learning", "spread"),
        ("Who was involved", "involvement"),
        ("Value for money", "value"),
        ("1. Aims and context", "ambition"),
    ],
)
def test_variant_headings_match_their_criterion(heading: str, criterion: str) -> None:
    programme, category = _category("hsj-partnership-2019/clinical-support-service")
    assert match_heading(normalise(heading), programme, category)[0] == criterion


def test_unknown_heading_matches_nothing() -> None:
    programme, category = _category("hsj-partnership-2019/clinical-support-service")
    assert match_heading(normalise("Our team photo"), programme, category)[0] is None


def test_markdown_bold_and_lead_in_headings_split_the_draft() -> None:
    text = (
        "# Our entry\n\n## Ambition\nWe aimed to cut waits from 9 to 4 weeks with Brightwater PCN.\n\n"
        "**Results**\nWaits fell to 3.5 weeks.\n\n"
        "Spread: Two other trusts adopted the model.\n\n"
        "Who was involved\nNurses designed the form.\n\n"
        "## Value\nWe saved £120k.\n"
    )
    sections = _sections(text, "hsj-partnership-2019/clinical-support-service")
    assert sections == {
        "ambition": "We aimed to cut waits from 9 to 4 weeks with Brightwater PCN.",
        "outcomes": "Waits fell to 3.5 weeks.",
        "spread": "Two other trusts adopted the model.",
        "involvement": "Nurses designed the form.",
        "value": "We saved £120k.",
    }


def test_headingless_draft_is_split_in_criterion_order() -> None:
    paragraphs = [f"Paragraph {i} talks about subject {i} with words {i} {i} {i}." for i in range(5)]
    text = "\n\n".join(paragraphs)
    sections = _sections(text, "kent-medway-qsi-2020/primary-care-safety")
    ordered = list(sections)
    programme, category = _category("kent-medway-qsi-2020/primary-care-safety")
    ids = [c.id for c in category.criteria]
    assert ordered == sorted(ordered, key=ids.index)
    for paragraph in paragraphs:
        assert sum(paragraph in body for body in sections.values()) == 1
