"""The grounding guard removes sentences with figures or quotations found in no source."""

from __future__ import annotations

from assistant.chat.guard import Sources, guard

DRAFT = (
    "Median length of stay for the cohort fell from 9.4 days to 5.2 days. The service releases around 6,000 bed "
    "days a year, worth £1.8m at the trust's reference cost. Thirty-day readmissions have stayed at 11%."
)


def test_invented_percentage_is_removed_with_a_notice() -> None:
    result = guard("Length of stay fell from 9.4 to 5.2 days. Readmissions fell by 42% last year.", Sources([DRAFT]))
    assert result.text == "Length of stay fell from 9.4 to 5.2 days."
    assert result.removed == ["the figure 42%"]
    assert "42%" in result.notices[0] and "not in your draft" in result.notices[0]


def test_figures_written_differently_still_match_their_source() -> None:
    answer = "It is worth £1,800,000 a year. It releases 6000 bed days. The 30-day readmission rate is 11 per cent."
    assert guard(answer, Sources([DRAFT])).text == answer


def test_invented_quotation_is_removed_but_a_real_one_stays() -> None:
    answer = ("You write “Median length of stay for the cohort fell from 9.4 days to 5.2 days.” "
              "A nurse said “it changed everything for our patients”.")
    result = guard(answer, Sources([DRAFT]))
    assert result.text.startswith("You write “Median length")
    assert "changed everything" not in result.text
    assert result.removed == ["the quotation “it changed everything for our patients”"]


def test_placeholders_and_list_numbers_are_not_claims() -> None:
    answer = "1. Add a quote: “[what they said]” — [role].\n2. Give the baseline beside 5.2 days."
    assert guard(answer, Sources([DRAFT])).text == answer


def test_emptied_bullets_are_dropped() -> None:
    answer = "Try this:\n- Readmissions fell by 42%.\n- Keep “Thirty-day readmissions have stayed at 11%.”"
    result = guard(answer, Sources([DRAFT]))
    assert result.text == "Try this:\n- Keep “Thirty-day readmissions have stayed at 11%.”"


def test_tool_results_count_as_sources() -> None:
    sources = Sources([DRAFT])
    sources.add('{"title": "Impact", "words": 56, "word_limit": 400}')
    assert guard("Impact has 56 words of its 400.", sources).removed == []
