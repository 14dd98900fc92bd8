"""The evidence window reads each date by its clause: results count, baselines and plans do not."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.eligibility.window import evidence_window
from assistant.review import RuleResult
from assistant.service import Assistant

DEADLINE = dt.date(2025, 6, 27)
AMBITION = (
    "## Ambition\n\nIn 2019 the ward recorded 42 falls a year, against a regional average of 30. We set out to "
    "halve falls within two years.\n\n"
)


def check(assistant: Assistant, impact: str, *, ambition: str = AMBITION, months: int | None = 24) -> RuleResult:
    programme, category = assistant.resolve("acute-innovation", "hsj-awards-2025")
    text = f"{ambition}## Impact\n\n{impact}\n"
    review = assistant.reviewer.review(text, programme, category, examples=False)
    result = evidence_window(text, review, category, deadline=DEADLINE, window_months=months)
    assert all(quote in text for quote in result.quotes)
    return result


def test_a_past_baseline_beside_a_recent_result_passes(fake_assistant: Assistant) -> None:
    result = check(fake_assistant, "In 2016 our rate was 14%; in 2024 it fell to 6%.")
    assert result.status == "pass", result.reason


def test_a_baseline_level_in_an_earlier_sentence_is_not_a_stale_result(fake_assistant: Assistant) -> None:
    result = check(fake_assistant, "In 2016 our infection rate was 14%. In 2024 the rate fell to 6% across all wards.")
    assert result.status == "pass", result.reason


def test_from_and_to_figures_read_as_baseline_and_result(fake_assistant: Assistant) -> None:
    result = check(fake_assistant, "Falls fell from 42 in 2019 to 18 in 2024, a reduction of 57%.")
    assert result.status == "pass", result.reason


def test_all_results_before_the_window_fail(fake_assistant: Assistant) -> None:
    impact = "In 2018 falls fell by 40% to 25 a year. During 2020 we cut pressure ulcers by 30%."
    result = check(fake_assistant, impact)
    assert result.status == "fail"
    assert "window" in result.reason
    assert "In 2018 falls fell by 40% to 25 a year." in result.quotes


def test_some_stale_results_need_review(fake_assistant: Assistant) -> None:
    impact = "In 2018 falls fell by 40% to 25 a year. In 2024 we cut pressure ulcers by 30% to 12 cases."
    result = check(fake_assistant, impact)
    assert result.status == "needs_review"
    assert result.quotes == ["In 2018 falls fell by 40% to 25 a year."]


def test_results_dated_after_the_deadline_need_review(fake_assistant: Assistant) -> None:
    impact = "In 2024 falls fell by 40% to 25 a year. In September 2025 readmissions fell to 4%."
    result = check(fake_assistant, impact)
    assert result.status == "needs_review"
    assert "after the deadline" in result.reason
    assert result.quotes == ["In September 2025 readmissions fell to 4%."]


def test_plans_and_ongoing_results_are_not_stale(fake_assistant: Assistant) -> None:
    impact = (
        "Since April 2021 the service has treated 1,146 patients who would otherwise have been admitted. "
        "By 2026 we will extend it to 3 more wards and expect a further 20% fall."
    )
    assert check(fake_assistant, impact).status == "pass"


def test_dates_in_the_ambition_describe_the_starting_point(fake_assistant: Assistant) -> None:
    ambition = "## Ambition\n\nIn 2017 only 12% of patients were discharged before noon, one of the lowest rates.\n\n"
    result = check(fake_assistant, "In 2024, 48% of patients were discharged before noon.", ambition=ambition)
    assert result.status == "pass", result.reason


def test_no_dated_results_pass_with_a_reason(fake_assistant: Assistant) -> None:
    result = check(fake_assistant, "Falls fell by 40% after the new checklist.")
    assert result.status == "pass"
    assert "No dated results" in result.reason


@pytest.mark.parametrize("months", [None, 24])
def test_future_dates_are_checked_even_without_a_window(fake_assistant: Assistant, months: int | None) -> None:
    result = check(fake_assistant, "In 2026 falls fell by 40% to 25 a year.", months=months)
    assert result.status == "needs_review"


@pytest.mark.parametrize("impact", [
    "Over 2024/25 the unit carried out 14,600 procedures, 22% more than in 2019/20.",
    "In 2024 we saw 1,200 patients, 30% fewer than the same period of 2020.",
    "Referrals in 2024 were up 18% on 2019, and every one was seen within a week.",
])
def test_the_period_a_result_is_compared_with_is_a_baseline(fake_assistant: Assistant, impact: str) -> None:
    result = check(fake_assistant, impact)
    assert result.status == "pass", result.reason


def test_a_plain_heading_line_does_not_hide_the_starting_position(fake_assistant: Assistant) -> None:
    ambition = "Ambition\nIn 2019 the ward recorded 42 falls a year, against a regional average of 30.\n\n"
    programme, category = fake_assistant.resolve("acute-innovation", "hsj-awards-2025")
    text = f"{ambition}Impact\nIn 2024 falls fell to 18 a year across the ward.\n"
    review = fake_assistant.reviewer.review(text, programme, category, examples=False)
    result = evidence_window(text, review, category, deadline=DEADLINE, window_months=24)
    assert result.status == "pass", result.reason
    assert all(not quote.startswith(("Ambition", "Impact")) for quote in result.quotes)
