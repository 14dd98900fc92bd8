"""The grounding guard: an LLM answer may only state numbers and quotations found in its sources.

Sources are the draft and every tool result and passage used in that turn. A sentence holding a
figure (count, percentage, money, date) or a quotation that no source contains is removed, and a
notice says what was removed and why. Quotes holding [placeholders] are suggestion templates, not
quotations, so only their figures are checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.sentences import split_sentences

_NUMBER = re.compile(
    r"(?<![\w#./:-])(?P<currency>[£$€])?\s?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<unit>%|per ?cent\b|percent\b|k\b|m\b|bn\b|million\b|billion\b|thousand\b))?",
    re.I,
)
_LIST_MARKER = re.compile(r"^(\s*)\d{1,2}[.)](?=\s)", re.M)
_QUOTE = re.compile(r"“(?P<a>[^”]{3,}?)”|\"(?P<b>[^\"\n]{3,}?)\"|‘(?P<c>[^’]{12,}?)’")
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}


def _values(text: str) -> list[tuple[str, float]]:
    """(as written, canonical value) for every figure; '£1.8m' and '£1,800,000' share a value."""
    found = []
    for match in _NUMBER.finditer(_LIST_MARKER.sub(r"\1  ", text)):
        number = float(match.group("number").replace(",", ""))
        unit = (match.group("unit") or "").lower()
        found.append((match.group(0).strip(), round(number * _SCALE.get(unit, 1.0), 6)))
    return found


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


@dataclass
class Sources:
    """Everything an answer may draw figures and quotations from."""

    texts: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        if text:
            self.texts.append(text)

    def extend(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.add(text)

    def values(self) -> set[float]:
        values = {value for text in self.texts for _, value in _values(text)}
        words = re.findall(r"[a-z]+", " ".join(self.texts).lower())
        return values | {float(_WORD_NUMBERS[w]) for w in words if w in _WORD_NUMBERS}

    def contains(self, quote: str) -> bool:
        corpus = _normalise("\n".join(self.texts))
        parts = [p.strip(" .,;:!?'\"-—–") for p in re.split(r"\.\.\.|…", _normalise(quote))]
        return all(part in corpus for part in parts if part)


@dataclass
class Guarded:
    text: str
    notices: list[str]
    removed: list[str]  # the figures and quotations that had no source


def _unsupported(sentence: str, sources: Sources, known: set[float]) -> list[str]:
    problems = [f"the figure {written}" for written, value in _values(sentence) if value not in known]
    for match in _QUOTE.finditer(sentence):
        quote = match.group("a") or match.group("b") or match.group("c")
        if "[" in quote and "]" in quote:
            continue
        if not sources.contains(quote):
            problems.append(f"the quotation “{quote.strip()}”")
    return problems


def guard(answer: str, sources: Sources) -> Guarded:
    """Remove every sentence of the answer with an unsupported figure or quotation."""
    known = sources.values()
    cuts: list[tuple[int, int]] = []
    removed: list[str] = []
    for span in split_sentences(answer):
        problems = _unsupported(span.text(answer), sources, known)
        if problems:
            cuts.append((span.start, span.end))
            removed += problems
    text = answer
    for start, end in reversed(cuts):
        text = text[:start] + text[end:]
    text = re.sub(r"^[ \t]*(?:[-*•]|\d{1,2}[.)])?[ \t]*$\n?", "", text, flags=re.M)  # emptied list items
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    notices = [
        f"Removed a sentence with {problem}, which is not in your draft or the sources used for this answer."
        for problem in dict.fromkeys(removed)
    ]
    return Guarded(text=text, notices=notices, removed=removed)
