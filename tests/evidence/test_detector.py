"""Detection reads sentences in context and holds DESIGN.md's hard cases, on the fake and the real model."""

from __future__ import annotations

import pytest

from assistant.evidence.rules import reported_feedback
from assistant.service import Assistant

QUOTE = (
    "We asked families what had changed. “Before, nobody answered the phone at night. Now the "
    "nurse rings back within the hour. I finally sleep,” said the daughter of one patient. "
    "The service launched in September 2022."
)
HARD = {
    "The service launched in September 2022.": "metric",
    "Patients were informed by letter and posters in the waiting room.": "patient_involvement",
    "It runs only at the one hospital where it was developed.": "spread",
    "The director signed off the business case.": "partnership",
    "We are now collecting data on readmissions and will report in the spring.": "metric",
    "The team developed the tool.": "staff_involvement",
}


# Feedback reported without quotation marks (LABELLING.md §4.3, §4.11), and look-alikes that are not.
REPORTED = [
    "Some staff reported that at times they did not feel confident running the clinic alone.",
    "GPs were raising concerns that they were increasingly seeing patients for loneliness.",
    "Public advisers were mostly positive about the sessions but highlighted the need for more notice.",
    "Carers told us evenings were the worst time.",
]
NOT_REPORTED = [
    "Patients now feel much safer on our wards.",  # the entrant's own claim
    "82% of parents said the new clinic was better.",  # a survey share: metric
    "We wanted a space for staff to feel able to speak up.",  # asks for feedback, reports none
    "The judges said the team had transformed the service.",  # judges never count
    "Patients will tell us how the new letters read.",  # a plan
]


def _types(assistant: Assistant, text: str) -> dict[str, list[str]]:
    return {f.text: list(f.types) for f in assistant.detect(text)}


def _check_quotation(assistant: Assistant) -> None:
    found = _types(assistant, QUOTE)
    quoted = [s for s in found if "nurse rings back" in s or "nobody answered" in s or "I finally sleep" in s]
    assert len(quoted) == 3
    for sentence in quoted:
        assert "testimonial" in found[sentence], sentence
    assert "metric" not in found["The service launched in September 2022."]


def _check_hard_cases(assistant: Assistant) -> None:
    for sentence, ruled_out in HARD.items():
        assert ruled_out not in _types(assistant, sentence)[sentence], sentence


def test_every_sentence_of_a_quotation_is_a_testimonial(fake_assistant: Assistant) -> None:
    _check_quotation(fake_assistant)


def test_hard_cases_hold_whatever_the_classifier_says(fake_assistant: Assistant) -> None:
    _check_hard_cases(fake_assistant)


def test_reported_feedback_is_told_from_claims_surveys_and_plans() -> None:
    assert [reported_feedback(s) for s in REPORTED] == [True] * len(REPORTED)
    assert [reported_feedback(s) for s in NOT_REPORTED] == [False] * len(NOT_REPORTED)


def test_reported_feedback_is_a_testimonial_whatever_the_classifier_says(fake_assistant: Assistant) -> None:
    for sentence in REPORTED:
        assert "testimonial" in _types(fake_assistant, sentence)[sentence], sentence
    assert "testimonial" not in _types(fake_assistant, NOT_REPORTED[3])[NOT_REPORTED[3]]


def test_claim_next_to_its_figure_is_supported(fake_assistant: Assistant) -> None:
    text = "Waiting times have fallen sharply. The median wait for waiting times is now 9 days, down from 31."
    findings = fake_assistant.detect(text)
    assert "unsupported_claim" not in findings[0].types
    alone = fake_assistant.detect("Waiting times have fallen sharply and everyone is happier.")
    assert "unsupported_claim" in alone[0].types


@pytest.mark.slow
def test_real_model_reads_quotations_and_hard_cases(real_assistant: Assistant) -> None:
    _check_quotation(real_assistant)
    _check_hard_cases(real_assistant)
    for sentence in REPORTED:
        assert "testimonial" in _types(real_assistant, sentence)[sentence], sentence


@pytest.mark.slow
def test_real_model_finds_evidence_real_teams_write(real_assistant: Assistant) -> None:
    text = (
        "Ward nurses redesigned the handover sheet in three workshops. Missed observations fell from 14% "
        "to 3% between April and September. The checklist has since been adopted by both neighbouring trusts."
    )
    found = [set(f.types) for f in real_assistant.detect(text)]
    assert "staff_involvement" in found[0]
    assert {"metric", "baseline"} <= found[1]
    assert "spread" in found[2]
