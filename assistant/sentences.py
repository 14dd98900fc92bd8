"""Sentence spans over the draft exactly as given, so every quote maps back to its offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "e.g",
    "i.e",
    "eg",
    "ie",
    "etc",
    "vs",
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "no",
    "approx",
    "st",
    "inc",
    "ltd",
    "co",
    "fig",
    "ref",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "cf",
    "al",
    "dept",
    "min",
    "mins",
    "hr",
    "hrs",
    "wk",
    "wks",
}
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9£•\-–*])")
_BULLET = re.compile(r"^\s*(?:[-*•▪◦–]|\d{1,2}[.)]|[a-z][.)])\s+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


def _trimmed(source: str, start: int, end: int) -> Span | None:
    while start < end and source[start].isspace():
        start += 1
    while end > start and source[end - 1].isspace():
        end -= 1
    if end - start < 2:
        return None
    return Span(start, end)


def _split_block(source: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    cursor = start
    for match in _BOUNDARY.finditer(source, start, end):
        head = source[cursor : match.start() + 1]
        word = re.findall(r"([A-Za-z.]+)\.?$", source[cursor : match.start()])
        token = word[-1].lower().rstrip(".") if word else ""
        if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        if len(head.split()) < 2 and source[match.start()] == ".":
            continue
        span = _trimmed(source, cursor, match.end())
        if span:
            spans.append(span)
        cursor = match.end()
    tail = _trimmed(source, cursor, end)
    if tail:
        spans.append(tail)
    return spans


_LINK_WORD = re.compile(
    r"\b(?:and|or|but|the|a|an|of|to|in|on|at|by|for|with|from|our|their|its|as|than|that|which|who)$", re.I
)
_STARTS_LINE = re.compile(r"^[\"'“‘(]?[A-Z0-9£]")


def _heading_line(line: str, previous: str | None, following: str | None) -> bool:
    """A title on its own line ("Ambition", "2. Results") with the text running on below it.

    Short, unpunctuated, not ending on a joining word (a hard-wrapped line would), after a line that
    ended a sentence, and followed by a line that starts one.
    """
    stripped = line.strip()
    if not following or not stripped or len(stripped.split()) > 8:
        return False
    if stripped[-1] in ".!?,;:" or _LINK_WORD.search(stripped):
        return False
    if previous is not None and previous.rstrip()[-1:] not in ".!?:\"”)":
        return False
    return bool(_STARTS_LINE.match(following.strip()))


def line_blocks(source: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Paragraphs, with each bullet, table row or title line its own block."""
    end = len(source) if end is None else end
    blocks: list[Span] = []
    block_start: int | None = None
    previous: str | None = None
    position = start
    lines = source[start:end].splitlines(keepends=True)
    for index, line in enumerate(lines):
        line_start, line_end = position, position + len(line)
        position = line_end
        stripped = line.strip()
        is_item = bool(_BULLET.match(line)) or " | " in stripped
        if not stripped or is_item:
            if block_start is not None:
                span = _trimmed(source, block_start, line_start)
                if span:
                    blocks.append(span)
                block_start = None
            if is_item:
                marker = _BULLET.match(line)
                span = _trimmed(source, line_start + (marker.end() if marker else 0), line_end)
                if span:
                    blocks.append(span)
            previous = None
            continue
        following = lines[index + 1] if index + 1 < len(lines) else None
        if _heading_line(line, previous, following) and not (following and _BULLET.match(following)):
            if block_start is not None:
                span = _trimmed(source, block_start, line_start)
                if span:
                    blocks.append(span)
            span = _trimmed(source, line_start, line_end)
            if span:
                blocks.append(span)
            block_start, previous = None, None
            continue
        if block_start is None:
            block_start = line_start
        previous = line
    if block_start is not None:
        span = _trimmed(source, block_start, end)
        if span:
            blocks.append(span)
    return blocks


def split_sentences(source: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans within ``source[start:end]``; bullets and table rows are sentences of their own."""
    spans: list[Span] = []
    for block in line_blocks(source, start, end):
        spans.extend(_split_block(source, block.start, block.end))
    return spans


def count_words(text: str) -> int:
    return len(re.findall(r"[\w£$€%][\w'’£$€%.,/-]*", text))
