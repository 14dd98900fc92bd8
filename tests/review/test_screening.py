"""Screening: the classifier judges only sentences that could show the focus types, and agrees with full detection."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.evidence.rules import apply_rules
from assistant.sentences import split_sentences
from assistant.service import Assistant
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow

PATIENT = (
    "Patients and carers from our frailty panel co-designed the discharge leaflet and tested it on the ward "
    "before launch."
)
TEXT = (
    "The frailty unit opened in April 2023 with six beds. Median length of stay fell from 9.1 days to 6.4 days "
    "by March 2024. " + PATIENT + " Nurses and therapists met weekly to agree changes. The unit is staffed "
    "seven days a week. Two neighbouring trusts have since adopted the model."
)


class Spy:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.seen: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self.assistant.embeddings.embed_array(texts)


def test_with_no_focus_nothing_is_embedded_and_rules_decide(real_assistant: Assistant) -> None:
    spy = Spy(real_assistant)
    spans = split_sentences(TEXT)
    screened = real_assistant.detector.screen_spans(TEXT, spans, [], spy)
    assert spy.seen == []
    for finding in screened:
        rules = apply_rules(finding.text).scores
        # Claims next to a figure are cleared, as in full detection; everything else is the rules' score.
        assert finding.probabilities.get("unsupported_claim", 0.0) <= rules.get("unsupported_claim", 0.0)
        assert {k: v for k, v in finding.probabilities.items() if k != "unsupported_claim"} == {
            k: v for k, v in rules.items() if k != "unsupported_claim"
        }


def test_only_candidate_sentences_are_embedded_and_they_get_the_full_judgement(real_assistant: Assistant) -> None:
    detector = real_assistant.detector
    spans = split_sentences(TEXT)
    spy = Spy(real_assistant)
    screened = detector.screen_spans(TEXT, spans, ["patient_involvement"], spy)
    full = detector.detect_spans(TEXT, spans)
    assert PATIENT in spy.seen
    assert 0 < len(spy.seen) < len(spans)
    by_text = {f.text: f for f in full}
    # Candidates get exactly the full judgement (their neighbours are embedded too, as context); every
    # other sentence keeps a score below the reporting bar for the focus type.
    for finding in screened:
        judged = finding.probabilities == pytest.approx(by_text[finding.text].probabilities, abs=1e-6)
        if finding.text == PATIENT:
            assert judged
        elif not judged:
            assert finding.probabilities["patient_involvement"] < 0.5
    assert "patient_involvement" in next(f for f in screened if f.text == PATIENT).types


@pytest.mark.parametrize("name,category", [
    ("hospital-at-home-draft.md", "acute-innovation"),
    ("falls-no-headings.md", "community-care-safety"),
])
def test_a_screening_review_keeps_sections_and_counts_and_retrieves_nothing(
    real_assistant: Assistant, name: str, category: str
) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    programme, resolved = real_assistant.resolve(category)
    full = real_assistant.reviewer.review(text, programme, resolved, examples=False)
    screened = real_assistant.reviewer.review(text, programme, resolved, screen=["patient_involvement"])
    assert "screening for patient_involvement" in screened.meta.detection
    assert "screening" not in full.meta.detection
    for a, b in zip(full.criteria, screened.criteria, strict=True):
        assert (a.id, a.sections, a.word_count, a.section_found) == (b.id, b.sections, b.word_count, b.section_found)
        assert ("patient_involvement" in {e.type for e in a.evidence}) == (
            "patient_involvement" in {e.type for e in b.evidence}
        )
        assert all(not m.examples for m in b.missing)
