from __future__ import annotations

import datetime as dt

import pytest

from assistant.eligibility.dates import find_dates, months_before


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("in 2016 the rate", "2016-01-01", "2016-12-31"),
        ("during 2022/23 we", "2022-04-01", "2023-03-31"),
        ("in FY23 we", "2022-04-01", "2023-03-31"),
        ("since April 2023 we", "2023-04-01", "2023-04-30"),
        ("in Q3 2021 we", "2021-07-01", "2021-09-30"),
        ("on 12/03/2021 we", "2021-03-12", "2021-03-12"),
        ("on 1 February 2020 we", "2020-02-01", "2020-02-01"),
        ("from 2018 to 2020 we", "2018-01-01", "2020-12-31"),
        ("between May 2022 and Jan 2023", "2022-05-01", "2023-01-31"),
        ("over 2019-2021", "2019-01-01", "2021-12-31"),
    ],
)
def test_find_dates_reads_each_form_as_a_period(text: str, first: str, last: str) -> None:
    dates = find_dates(text)
    assert len(dates) == 1
    assert (dates[0].first.isoformat(), dates[0].last.isoformat()) == (first, last)
    assert text[dates[0].start : dates[0].end] == dates[0].text


@pytest.mark.parametrize("text", ["we saw 2019 patients", "it cost £2020 a year", "2,019 referrals", "rose 2020%"])
def test_find_dates_ignores_numbers_that_count_things(text: str) -> None:
    assert find_dates(text) == []


def test_months_before_clamps_to_the_end_of_a_short_month() -> None:
    assert months_before(dt.date(2025, 6, 27), 24) == dt.date(2023, 6, 27)
    assert months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
