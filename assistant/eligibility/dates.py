"""Dates as entrants write them, each read as a period: "2016", "April 2023", "2022/23", "Q3 2021".

A financial year ("2022/23", "FY23") runs April to March, as in the NHS. Bare numbers that look
like years but count things ("2019 patients") or cost money ("£2020") are not dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {
    name: index
    for index in range(1, 13)
    for name in {calendar.month_name[index].lower(), calendar.month_abbr[index].lower()}
}
_MONTHS["sept"] = 9
_MONTH = r"(?P<{}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_YEAR = r"(?P<{}>(?:19[89]|20[0-9])\d)"
_NOT_A_YEAR_AFTER = (
    r"(?!\s*(?:%|per ?cent|patients|people|staff|referrals|admissions|attendances|appointments|visits|calls|"
    r"beds?|bed days|hours|days|minutes|episodes|cases|items|prescriptions|tests|samples|users|residents|"
    r"contacts|sessions|miles|km|kg|words)\b)(?![\d,.]\d)(?!\s*%)"
)
_NOT_A_YEAR_BEFORE = r"(?<![£$€\d,.\-/])"


def _m(name: str) -> str:
    return _MONTH.format(name)


def _y(name: str) -> str:
    return _YEAR.format(name)


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("day", re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_m('m')},?\s+{_y('y')}\b", re.I)),
    ("day_us", re.compile(rf"\b{_m('m')}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_y('y')}\b", re.I)),
    ("numeric_day", re.compile(rf"\b(?P<day>\d{{1,2}})[/.](?P<mn>\d{{1,2}})[/.]{_y('y')}\b")),
    ("month_range", re.compile(
        rf"\b{_m('m')}\s*(?:{_y('y0')}\s*)?(?:-|–|—|to|until|and)\s*{_m('m2')}\s+{_y('y')}\b", re.I)),
    ("quarter_fy", re.compile(rf"\bQ(?P<q>[1-4])\s+(?:of\s+)?(?:FY\s?)?{_y('y')}\s?[/–-]\s?(?P<y2>\d{{2}})\b", re.I)),
    ("quarter", re.compile(rf"\bQ(?P<q>[1-4])\s+(?:of\s+)?{_y('y')}\b", re.I)),
    ("quarter", re.compile(rf"\b{_y('y')}\s+Q(?P<q>[1-4])\b", re.I)),
    ("month", re.compile(rf"\b{_m('m')},?\s+{_y('y')}\b", re.I)),
    ("numeric_month", re.compile(rf"\b(?P<mn>0?[1-9]|1[0-2])/{_y('y')}\b")),
    ("year_span", re.compile(
        rf"\b(?:(?:from|between)\s+)?{_y('y0')}\s?(?:/|-|–|—|to|until|and)\s?(?P<y2>(?:19|20)\d{{2}}|\d{{2}})\b(?!\s*%)",
        re.I)),
    ("fy_short", re.compile(r"\bFY\s?(?P<yy>\d{2})\b", re.I)),
    ("year", re.compile(rf"{_NOT_A_YEAR_BEFORE}\b{_y('y')}\b{_NOT_A_YEAR_AFTER}")),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    first: dt.date  # first day of the period
    last: dt.date  # last day of the period
    text: str


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _period(kind: str, match: re.Match[str]) -> tuple[dt.date, dt.date] | None:
    groups = match.groupdict()
    if kind in ("day", "day_us", "numeric_day"):
        month = _MONTHS[groups["m"].lower().rstrip(".")] if groups.get("m") else int(groups["mn"])
        try:
            day = dt.date(int(groups["y"]), month, int(groups["day"]))
        except ValueError:
            return None
        return day, day
    if kind == "month_range":
        year = int(groups["y"])
        first_month, last_month = _MONTHS[groups["m"].lower().rstrip(".")], _MONTHS[groups["m2"].lower().rstrip(".")]
        first_year = int(groups["y0"]) if groups.get("y0") else (year if first_month <= last_month else year - 1)
        return dt.date(first_year, first_month, 1), _month_end(year, last_month)
    if kind == "quarter_fy":
        year, quarter = int(groups["y"]), int(groups["q"])
        if (year + 1) % 100 != int(groups["y2"]):
            return None
        start_month = 4 + 3 * (quarter - 1)
        start_year = year + (start_month - 1) // 12
        start_month = (start_month - 1) % 12 + 1
        return dt.date(start_year, start_month, 1), _month_end(start_year, start_month + 2)
    if kind == "quarter":
        year, quarter = int(groups["y"]), int(groups["q"])
        return dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if kind == "month":
        year, month = int(groups["y"]), _MONTHS[groups["m"].lower().rstrip(".")]
        return dt.date(year, month, 1), _month_end(year, month)
    if kind == "numeric_month":
        year, month = int(groups["y"]), int(groups["mn"])
        return dt.date(year, month, 1), _month_end(year, month)
    if kind == "year_span":
        first, raw = int(groups["y0"]), groups["y2"]
        second = int(raw) if len(raw) == 4 else first - first % 100 + int(raw)
        if second == first + 1 and ("/" in match.group(0) or len(raw) == 2):
            return dt.date(first, 4, 1), dt.date(second, 3, 31)  # an NHS financial year
        if first < second <= first + 30:
            return dt.date(first, 1, 1), dt.date(second, 12, 31)
        return None
    if kind == "fy_short":
        second = 2000 + int(groups["yy"])
        return dt.date(second - 1, 4, 1), dt.date(second, 3, 31)
    year = int(groups["y"])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Every date in ``text[start:end]``, longest reading first, never overlapping."""
    end = len(text) if end is None else end
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text, start, end):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            period = _period(kind, match)
            if period is None:
                continue
            taken.append((match.start(), match.end()))
            found.append(DateMention(match.start(), match.end(), period[0], period[1], match.group(0)))
    return sorted(found, key=lambda d: d.start)


def months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
