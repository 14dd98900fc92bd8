"""Find each criterion's answer in a draft.

First by headings (markdown, bold lines, numbered questions, short title lines, "Outcomes:" lead-ins)
matched to the criterion's title, its aliases and the programme's crosswalk; headings that match no
name are matched by meaning. With no headings at all, paragraphs are assigned to criteria from
their content, keeping the judges' order (a monotonic alignment over paragraph/criterion scores).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from assistant.packs import Category, Criterion, Programme
from assistant.sentences import Span, line_blocks

SectionMethod = Literal["heading", "heading_variant", "heading_meaning", "content"]
Embed = Callable[[list[str]], np.ndarray]
ParagraphScorer = Callable[[list[Span]], np.ndarray]

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<h>.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(?P<h>[^*_]{2,150}?)(?:\*\*|__)\s*:?\s*$")
_NUMBERING = re.compile(
    r"^\s*(?:(?:q(?:uestion)?|criterion|section|part|step)\s*\d{1,2}[a-z]?[.):]?|\d{1,2}(?:\.\d)?[.):]|"
    r"[ivx]{1,4}[.)]|[a-h][.)])\s+(?:[-–—:]\s*)?",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(r"^\s*(?P<h>[A-Z][A-Za-z ,&/'’-]{2,60}?)\s*[:–—]\s+(?=\S)")
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Heading:
    start: int  # offset of the heading line
    body_start: int  # where the answer begins (after the heading or lead-in)
    raw: str
    name: str  # normalised heading text


@dataclass
class Section:
    criterion: str | None
    heading: str | None
    start: int
    end: int
    method: SectionMethod
    confidence: float
    heading_spans: list[Span] = field(default_factory=list)

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


Matched = tuple[Heading, str | None, float, SectionMethod]


@dataclass
class SectionMap:
    sections: list[Section]
    headings: list[Span]  # heading lines, excluded from evidence detection and word counts
    unassigned: list[Span]  # text that answers no criterion

    def for_criterion(self, criterion_id: str) -> list[Section]:
        return [s for s in self.sections if s.criterion == criterion_id]


def normalise(text: str) -> str:
    text = text.strip().strip("*_#:").strip()
    text = _NUMBERING.sub("", text, count=1)
    text = re.sub(r"^(?:q(?:uestion)?|criterion|section|part)\s*\d+[a-z]?\s*[-–—:.)]?\s*", "", text, flags=re.I)
    text = text.replace("&", " and ")
    return " ".join(_WORD.findall(text.lower()))


def _stem(word: str) -> str:
    for suffix in (
        "ements",
        "ement",
        "ments",
        "ment",
        "ness",
        "ations",
        "ation",
        "ions",
        "ion",
        "ing",
        "ies",
        "es",
        "s",
        "ed",
        "e",
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


_FILLER = {"and", "the", "of", "our", "your", "to", "for", "in", "a", "an", "with", "how", "what", "we", "is"}


def _tokens(text: str) -> set[str]:
    return {_stem(w) for w in text.split() if w not in _FILLER}


def criterion_names(programme: Programme, criterion: Criterion) -> list[str]:
    names = [criterion.title, criterion.id.replace("-", " "), *criterion.aliases, *programme.equivalents(criterion.id)]
    return [n for n in dict.fromkeys(normalise(name) for name in names) if n]


def match_heading(name: str, programme: Programme, category: Category) -> tuple[str | None, float, SectionMethod]:
    """Best criterion for a heading by its words alone: exact names first, then containment, overlap."""
    best: tuple[str | None, float, SectionMethod] = (None, 0.0, "heading_variant")
    if not name:
        return best
    heading_tokens = _tokens(name)
    for criterion in category.criteria:
        names = criterion_names(programme, criterion)
        if normalise(criterion.title) == name:
            return criterion.id, 1.0, "heading"
        for candidate in names:
            if candidate == name:
                score = 0.97
            elif re.search(rf"\b{re.escape(candidate)}\b", name) and len(candidate) >= 4:
                score = 0.8 + 0.1 * len(candidate) / max(len(name), 1)
            else:
                candidate_tokens = _tokens(candidate)
                if not candidate_tokens or not heading_tokens:
                    continue
                shared = candidate_tokens & heading_tokens
                overlap = len(shared) / len(candidate_tokens | heading_tokens)
                if shared == candidate_tokens:
                    score = 0.7 + 0.1 * overlap
                else:
                    score = 0.75 * overlap if overlap >= 0.5 else 0.0
            if score > best[1]:
                best = (criterion.id, score, "heading_variant")
    return best


def _heading_candidates(text: str) -> list[Heading]:
    """Lines that look like headings, whatever they say."""
    headings: list[Heading] = []
    offset = 0
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        start, offset = offset, offset + len(line)
        stripped = line.strip()
        if not stripped:
            continue
        following = next((later.strip() for later in lines[index + 1 :] if later.strip()), "")
        body_start = offset
        match = _MD_HEADING.match(line) or _BOLD_LINE.match(line)
        if match:
            raw = match.group("h")
        elif (
            len(stripped.split()) <= 12
            and following
            and (
                stripped.endswith(":")
                or _NUMBERING.match(stripped)
                and stripped[-1:] not in ".!"
                or stripped[-1:] not in '.!?;,"”)'
                and stripped[:1].isupper()
            )
        ):
            raw = stripped
        elif stripped.endswith("?") and len(stripped.split()) <= 30 and following:
            raw = stripped
        else:
            lead = _LEAD_IN.match(line)
            if not lead:
                continue
            raw = lead.group("h")
            body_start = start + lead.end()
        headings.append(Heading(start=start, body_start=body_start, raw=raw.strip(), name=normalise(raw)))
    return headings


def criterion_texts(programme: Programme, category: Category) -> list[str]:
    return [f"{c.title}. {' '.join(c.questions)} {', '.join(c.aliases)}" for c in category.criteria]


def _looks_marked(text: str, heading: Heading) -> bool:
    line = text[heading.start : heading.body_start]
    return bool(
        _MD_HEADING.match(line) or _BOLD_LINE.match(line) or _NUMBERING.match(heading.raw) or heading.raw.endswith("?")
    )


def _plain_heading(heading: Heading) -> bool:
    """A short title-like line: few words, no sentence punctuation at the end."""
    words = heading.raw.split()
    return heading.body_start > heading.start and len(words) <= 8 and heading.raw[-1:] not in ".!;,"


def find_sections(
    text: str,
    *,
    programme: Programme,
    category: Category,
    embed: Embed,
    criterion_vectors: np.ndarray,
    paragraph_scores: ParagraphScorer | None = None,
) -> SectionMap:
    """Sections by heading when the draft has them, else by content and order.

    ``paragraph_scores`` scores paragraphs against criteria for drafts without headings; by default
    paragraphs are embedded and compared with ``criterion_vectors``.
    """
    candidates = _heading_candidates(text)
    matched = []
    for heading in candidates:
        criterion_id, score, method = match_heading(heading.name, programme, category)
        matched.append((heading, criterion_id if score >= 0.6 else None, score, method))
    named = [m for m in matched if m[1] is not None]
    marked = [m for m in matched if _looks_marked(text, m[0])]
    if len(named) < 2 and len(marked) < 2:
        scorer = paragraph_scores or _embedding_scorer(text, embed, criterion_vectors)
        return sections_by_content(text, category=category, scorer=scorer)
    # With a structure established, title-like lines are headings too, even if their words are new.
    keep = [m for m in matched if m[1] is not None or _looks_marked(text, m[0]) or _plain_heading(m[0])]
    keep = _name_by_meaning(text, keep, category=category, embed=embed, criterion_vectors=criterion_vectors)
    return _sections_from_headings(text, keep)


def _name_by_meaning(
    text: str, keep: list[Matched], *, category: Category, embed: Embed, criterion_vectors: np.ndarray
) -> list[Matched]:
    """Give unnamed headings the criterion their heading and opening lines are closest to."""
    unnamed = [i for i, m in enumerate(keep) if m[1] is None]
    if not unnamed:
        return keep
    claimed = {m[1] for m in keep if m[1] is not None}
    probes = []
    for index in unnamed:
        heading = keep[index][0]
        end = keep[index + 1][0].start if index + 1 < len(keep) else len(text)
        probes.append(f"{heading.raw}. {text[heading.body_start : end][:400]}")
    similarities = embed(probes) @ criterion_vectors.T
    result = list(keep)
    pairs = sorted(
        ((float(similarities[r, c]), r, c) for r in range(len(unnamed)) for c in range(len(category.criteria))),
        reverse=True,
    )
    used_rows: set[int] = set()
    for score, row, column in pairs:
        criterion_id = category.criteria[column].id
        if row in used_rows or criterion_id in claimed or score < 0.25:
            continue
        heading = keep[unnamed[row]][0]
        result[unnamed[row]] = (heading, criterion_id, score, "heading_meaning")
        used_rows.add(row)
        claimed.add(criterion_id)
    # A plain line that still matches nothing is ordinary body text, not a heading.
    return [m for m in result if m[1] is not None or _looks_marked(text, m[0])]


def _sections_from_headings(text: str, keep: list[Matched]) -> SectionMap:
    sections: list[Section] = []
    heading_spans = [Span(h.start, h.body_start) for h, _, _, _ in keep]
    unassigned: list[Span] = []
    preamble = text[: keep[0][0].start]
    if len(preamble.split()) > 12:
        unassigned.append(Span(len(preamble) - len(preamble.lstrip()), len(preamble.rstrip())))
    for index, (heading, criterion_id, score, method) in enumerate(keep):
        end = keep[index + 1][0].start if index + 1 < len(keep) else len(text)
        body = text[heading.body_start : end]
        start = heading.body_start + (len(body) - len(body.lstrip()))
        stop = heading.body_start + len(body.rstrip())
        if criterion_id is None:
            if stop > start:
                unassigned.append(Span(start, stop))
            continue
        sections.append(Section(criterion_id, heading.raw, start, max(start, stop), method, round(min(score, 1.0), 3)))
    return SectionMap(sections=sections, headings=heading_spans, unassigned=unassigned)


def _embedding_scorer(text: str, embed: Embed, criterion_vectors: np.ndarray) -> ParagraphScorer:
    def score(paragraphs: list[Span]) -> np.ndarray:
        return embed([p.text(text) for p in paragraphs]) @ criterion_vectors.T  # type: ignore[no-any-return]

    return score


def sections_by_content(text: str, *, category: Category, scorer: ParagraphScorer) -> SectionMap:
    """Assign paragraphs to criteria from their content, keeping the judges' order."""
    blocks = paragraphs(text)
    if not blocks:
        return SectionMap(sections=[], headings=[], unassigned=[])
    scores = scorer(blocks)
    # Entrants answer in the form's order, so a paragraph's position is a weak hint of its criterion.
    count, criteria = scores.shape
    position = np.arange(count)[:, None] / max(count - 1, 1)
    slot = np.arange(criteria)[None, :] / max(criteria - 1, 1)
    assignment = _monotonic_assignment(scores - 0.1 * np.abs(position - slot))
    sections: list[Section] = []
    for block, criterion_index, row in zip(blocks, assignment, scores, strict=True):
        ordered = np.sort(row)[::-1]
        margin = float(ordered[0] - ordered[1]) if len(ordered) > 1 else float(ordered[0])
        chosen_margin = float(row[criterion_index] - np.delete(row, criterion_index).max()) if len(row) > 1 else margin
        confidence = round(float(np.clip(0.5 + 2.0 * chosen_margin, 0.2, 0.85)), 3)
        criterion_id = category.criteria[criterion_index].id
        if sections and sections[-1].criterion == criterion_id:
            sections[-1].end = block.end
            sections[-1].confidence = round(min(sections[-1].confidence, confidence), 3)
        else:
            sections.append(Section(criterion_id, None, block.start, block.end, "content", confidence))
    return SectionMap(sections=sections, headings=[], unassigned=[])


def paragraphs(text: str) -> list[Span]:
    """Paragraphs with their bullet lists attached, so a list stays with its lead-in."""
    merged: list[Span] = []
    for block in line_blocks(text):
        previous = merged[-1] if merged else None
        gap = text[previous.end : block.start] if previous else ""
        if previous and "\n\n" not in gap.replace("\r", "") and gap.count("\n") <= 1:
            merged[-1] = Span(previous.start, block.end)
        else:
            merged.append(block)
    return merged


def _monotonic_assignment(scores: np.ndarray) -> list[int]:
    """Assign each paragraph a criterion index, never going back to an earlier criterion."""
    count, criteria = scores.shape
    best = np.full((count, criteria), -np.inf)
    back = np.zeros((count, criteria), dtype=int)
    best[0] = scores[0]
    for p in range(1, count):
        running_max, running_arg = -np.inf, 0
        for c in range(criteria):
            if best[p - 1, c] > running_max:
                running_max, running_arg = best[p - 1, c], c
            best[p, c] = running_max + scores[p, c]
            back[p, c] = running_arg
    path = [int(np.argmax(best[-1]))]
    for p in range(count - 1, 0, -1):
        path.append(int(back[p, path[-1]]))
    return path[::-1]
