"""What a sentence's neighbours tell the detector: quotations that run on, and nearby figures.

Real entries quote people over several sentences ("It was chaos. Now it's calm. I know who to
ring," said one carer.) and put a claim next to the figure that supports it. A sentence read alone
loses both, so detection reads each sentence with:

- ``quoted``: the sentence lies inside an attributed quotation (opened in an earlier sentence,
  closed in a later one, or introduced by "said:"); every sentence of that quotation carries the
  speaker's words, not only the one holding the attribution;
- the rule scores of the sentence before and after (is there a result figure next door?);
- the neighbours' embeddings, averaged, for the classifier's context head.

Neighbours are the adjacent sentences of the same passage: a blank line or heading between two
sentences ends the context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.evidence.rules import ATTRIBUTION, JUDGES, REPORTED_SPEECH, SPEAKER
from assistant.sentences import Span

_OPEN = "“\""
_CLOSE = "”\""
# Speech introduced by a colon: "One mother said:", "In the words of a ward sister:".
_INTRODUCED = re.compile(
    r"(?:\b(?:said|says|told us|tells us|wrote|writes|commented|explained|added|reflected|put it|described it"
    r"|shared|feedback included|words of [\w\s]{1,40}?)\s*:|[–—-]\s*$)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Context:
    """How one sentence sits among its neighbours."""

    previous: int | None
    following: int | None
    quoted: bool


def _joined(text: str, left: Span, right: Span) -> bool:
    """Two sentences read together: no blank line or separate line block between them."""
    gap = text[left.end : right.start]
    return len(gap) <= 40 and gap.count("\n") <= 1 and not gap.strip(" \t\r\n\"“”'’‘)(•-–—*")


def _quotation_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of quotations: from an opening quote mark to its closing one (same paragraph)."""
    regions: list[tuple[int, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        opens = char == "“" or (char == '"' and (index == 0 or not text[index - 1].isalnum()))
        if not opens:
            index += 1
            continue
        paragraph_end = text.find("\n\n", index)
        limit = len(text) if paragraph_end < 0 else paragraph_end
        close = -1
        for position in range(index + 1, limit):
            if text[position] in _CLOSE and (position + 1 == len(text) or not text[position + 1].isalnum()):
                close = position
                break
        if close < 0:
            # An unclosed quotation runs to the end of its paragraph, as real write-ups often do.
            close = limit - 1
        regions.append((index, close + 1))
        index = close + 1
    return regions


def _attributed(text: str, region: tuple[int, int]) -> bool:
    """A quotation is someone's words when the text around it says whose (and they are not judges)."""
    start, end = region
    before = text[max(0, start - 120) : start]
    after = text[end : end + 100]
    after = re.split(r"(?<=[.!?])\s", after, maxsplit=1)[0]
    around = before.split(".")[-1] + " " + after
    if JUDGES.search(around):
        return False
    if _INTRODUCED.search(before):
        return True
    return bool(
        ATTRIBUTION.search(after) or REPORTED_SPEECH.search(around) or (SPEAKER.search(after) and len(after) < 80)
    )


def sentence_contexts(text: str, spans: list[Span]) -> list[Context]:
    """Neighbours and quotation membership for each span (spans in reading order)."""
    regions = [r for r in _quotation_regions(text) if _attributed(text, r)]
    contexts: list[Context] = []
    for index, span in enumerate(spans):
        previous = index - 1 if index > 0 and _joined(text, spans[index - 1], span) else None
        following = index + 1 if index + 1 < len(spans) and _joined(text, span, spans[index + 1]) else None
        quoted = False
        for start, end in regions:
            inside = min(end, span.end) - max(start, span.start)
            # The sentence holds part of a quotation that runs on beyond it (a quotation within one
            # sentence is the rules' business already).
            if inside > 1 and not (start >= span.start and end <= span.end):
                quoted = True
                break
        contexts.append(Context(previous, following, quoted))
    return contexts
