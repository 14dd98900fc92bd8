"""Is an answer grounded? Figures and quotations in it must appear in the draft or a cited source.

A *figure* is a number with a currency sign or a percent, a decimal point or thousands separator,
or at least two digits; single digits ("3 gaps", "step 2") and list markers are not facts. Figures
are compared by value (commas, currency and percent stripped), so "£212,000" matches "212000".
A *quotation* is text of three words or more inside quotation marks; it must appear, ignoring case,
spacing and quote style, in one of the sources. An ellipsis splits a quotation into parts that
must each appear. Quotations holding [placeholders] are suggestion templates, not quotations (the
chat guard's rule too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_FIGURE = re.compile(r"(?<![\w.])([£$€]?)(\d+(?:[,.]\d+)*)(%?)")
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)
_QUOTE = re.compile(r"[“\"]([^”\"\n]{3,400})[”\"]|(?<!\w)‘([^’\n]{3,400})’(?!\w)")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Unsupported:
    kind: str  # "figure" or "quote"
    text: str


def normalise(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return _SPACE.sub(" ", text).strip().casefold()


def figure_values(text: str) -> list[tuple[str, str]]:
    """(as written, value) for each figure in the text."""
    text = _LIST_MARKER.sub(" ", text)
    found = []
    for match in _FIGURE.finditer(text):
        currency, number, percent = match.groups()
        digits = number.replace(",", "")
        if not (currency or percent or "," in number or "." in number or len(digits) >= 2):
            continue
        found.append((match.group(0), digits.rstrip(".")))
    return found


def quotations(text: str) -> list[str]:
    quotes = []
    for match in _QUOTE.finditer(text):
        quote = (match.group(1) or match.group(2) or "").strip()
        if len(quote.split()) >= 3 and not re.search(r"\[[^\]]+\]", quote):
            quotes.append(quote)
    return quotes


def unsupported(answer: str, sources: Iterable[str]) -> list[Unsupported]:
    """Figures and quotations in ``answer`` that appear in none of ``sources``."""
    pool = list(sources)
    values = {value for source in pool for _, value in figure_values(source)}
    haystack = "\n".join(normalise(source) for source in pool)
    problems = [Unsupported("figure", written) for written, value in figure_values(answer) if value not in values]
    for quote in quotations(answer):
        parts = [p for p in _ELLIPSIS.split(normalise(quote)) if p]
        if not all(part in haystack for part in parts):
            problems.append(Unsupported("quote", quote))
    return problems


def claims(answer: str) -> int:
    """How many figures and quotations the answer contains (the denominator of invention rates)."""
    return len(figure_values(answer)) + len(quotations(answer))
