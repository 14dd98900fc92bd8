"""A figure reads by where it stands: a starting point where judges ask for one, a result where they ask for results."""

from __future__ import annotations

import pytest

from assistant.evidence.detector import SentenceEvidence
from assistant.evidence.hardcases import lone_result_not_a_baseline
from assistant.packs import Criterion
from assistant.reviewer import _in_context
from assistant.sentences import Span

AMBITION = Criterion(id="ambition", title="Ambition", questions=["What did you set out to change?"],
                     expects=["baseline", "partnership"])
OUTCOMES = Criterion(id="outcomes", title="Outcomes", questions=["What changed?"],
                     expects=["metric", "baseline", "testimonial"])


def _finding(text: str, **probabilities: float) -> SentenceEvidence:
    return SentenceEvidence(Span(0, len(text)), text, dict(probabilities), threshold=0.7)


@pytest.mark.parametrize("sentence", [
    "The average time from scan to report was 2.1 days.",
    "Over the six months the median wait was 52 minutes, and 46% of discharges happened before midday.",
    "The work released 2,300 scientist hours a year for tests that used to be sent away.",
    "Falls with harm fell by 26%.",
])
def test_a_result_compared_with_nothing_is_not_a_baseline(sentence: str) -> None:
    assert lone_result_not_a_baseline(sentence)
    found = _in_context(_finding(sentence, metric=0.9, baseline=0.9), OUTCOMES)
    assert "baseline" not in found.types and "metric" in found.types


@pytest.mark.parametrize("sentence", [
    "Waiting times fell from 14 weeks to 6 weeks.",
    "Reports used to take 11 days; they now take 2.",
    "Uptake is now above the national average at 81%.",
    "We beat the 90% target every month.",
    "Our 2022 audit found only 41% of charts complete.",
    "Referrals were 18% higher than in the same quarter last year.",
])
def test_a_result_with_its_reference_point_keeps_its_baseline(sentence: str) -> None:
    assert lone_result_not_a_baseline(sentence) is None
    found = _in_context(_finding(sentence, metric=0.9, baseline=0.9), OUTCOMES)
    assert "baseline" in found.types


def test_where_judges_ask_for_the_starting_point_a_figure_is_a_baseline() -> None:
    sentence = "The average time from scan to report was 2.1 days."
    found = _in_context(_finding(sentence, metric=0.9, baseline=0.1), AMBITION)
    assert "baseline" in found.types
