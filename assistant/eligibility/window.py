"""The evidence window: are the entry's results dated within the months before the deadline?

Only dates attached to quantified results count. A date is read by its clause: "from 35% in 2019"
or "compared with 2018" is a baseline, "in 2016 our rate was 14%" followed later by "in 2024 it
fell to 6%" is a starting level (a baseline), "by 2026 we will…" is a plan, and "since April 2023"
runs up to the deadline. Dates in a criterion that asks for the starting position (Ambition,
Context) describe the baseline, not results.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from assistant.eligibility.dates import DateMention, find_dates, months_before
from assistant.evidence.rules import COUNT_UNIT, MONEY, PERCENT
from assistant.packs import Category
from assistant.review import Review, RuleResult
from assistant.sentences import Span, split_sentences

Role = Literal["result", "baseline", "plan", "ongoing"]

_CLAUSE_BREAK = re.compile(
    r"[;:()\[\]]|\s[–—-]\s|,\s+(?=(?:and|but|while|whereas|although|compared|against|versus|up from|down from)\b)"
    r"|\s(?=(?:compared (?:with|to)|against|versus|vs\.?|whereas|while)\s)",
    re.I,
)
_BASELINE = re.compile(
    r"\b(?:baseline|before|prior to|previously|pre-|used to|at the (?:start|outset)|originally|historically|had been|"
    r"compared (?:with|to)|against|versus|vs\.?|starting (?:point|position)|the year before|benchmark|"
    r"national average|up from|down from)\b|\bfrom\s+(?:a\s+)?(?:baseline\s+of\s+|high\s+of\s+|peak\s+of\s+)?[£$€]?\d",
    re.I,
)
# "22% more than in 2019/20", "fewer than the same period of 2019", "up 18% on 2022/23": the date
# right after a comparison is the period compared with.
_COMPARED = re.compile(
    r"(?:\bthan|\b(?:up|down|increase|rise|improvement|reduction|decrease|fall|drop|growth)\b[^.;]{0,20}?\bon)"
    r"\s+(?:(?:in|during|over|for|at|by|the|same|period|months?|year|quarter|of|last|previous)\s+){0,5}$",
    re.I,
)
_PLAN = re.compile(
    r"\b(?:will|shall|aims? to|aiming to|plans? to|planning to|intends? to|expects? to|expected to|"
    r"forecast\w*|projected|projection|trajectory|targets? (?:of|for|by)|goal|next year|going forward)\b",
    re.I,
)
_SINCE = re.compile(
    r"\b(?:since|starting|started|launch(?:ed)?|began|beginning|went live|going live)\b[^.;]{0,25}?"
    r"(?:\b(?:in|on|from)\s+)?(?:the\s+)?$|\bfrom\s+$",
    re.I,
)
_CHANGE = re.compile(
    r"\b(?:fell|fallen|falls?|reduc\w*|decreas\w*|dropp?\w*|cut|halved|rose|risen|rises?|increas\w*|improv\w*|"
    r"grew|grown|doubled|tripled|achiev\w*|saved|avoided|prevented|released|down to|up to|now|shorter|fewer|"
    r"lower|higher|better|more|less|eliminat\w*|sustain\w*|maintain\w*)\b|\bto\s+[£$€]?\d",
    re.I,
)


@dataclass(frozen=True)
class DatedSentence:
    date: DateMention
    sentence: Span
    role: Role


_FIGURE = re.compile(r"(?<![\d/])\d{1,3}(?:,\d{3})+(?!\d)|(?<![\d/.])\d+\.\d+(?![\d/])")


def _is_quantified(sentence: str) -> bool:
    return bool(
        PERCENT.search(sentence) or MONEY.search(sentence) or COUNT_UNIT.search(sentence) or _FIGURE.search(sentence)
    )


def _clauses(text: str, span: Span) -> list[tuple[int, int]]:
    bounds = [span.start]
    for match in _CLAUSE_BREAK.finditer(text, span.start, span.end):
        bounds.append(match.start())
    bounds.append(span.end)
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _context_ranges(review: Review, category: Category) -> list[tuple[int, int]]:
    """Sections answering a criterion about the starting position (it expects a baseline, not results)."""
    context_ids = {c.id for c in category.criteria if c.asks_for_starting_point}
    return [(s.start, s.end) for c in review.criteria if c.id in context_ids for s in c.sections]


def dated_results(text: str, review: Review, category: Category) -> list[DatedSentence]:
    """Each date in a quantified sentence, with the role its clause gives it."""
    metric_spans = [(e.start, e.end) for c in review.criteria for e in c.evidence if e.type == "metric"]
    context = _context_ranges(review, category)
    section_of = [(s.start, s.end) for c in review.criteria for s in c.sections]
    candidates: list[tuple[DateMention, Span, str, bool, tuple[int, int]]] = []
    for sentence in split_sentences(text):
        body = sentence.text(text)
        dates = find_dates(text, sentence.start, sentence.end)
        if not dates:
            continue
        quantified = any(a <= sentence.start < b or sentence.start <= a < sentence.end for a, b in metric_spans)
        if not (quantified or _is_quantified(body)):
            continue
        clauses = _clauses(text, sentence)
        for index, date in enumerate(dates):
            # By the date's own position: a sentence may begin with a heading the splitter kept on it.
            in_context = any(a <= date.start < b for a, b in context)
            home = next(((a, b) for a, b in section_of if a <= date.start < b), (0, len(text)))
            clause = next(((a, b) for a, b in clauses if a <= date.start < b), (sentence.start, sentence.end))
            previous_end = dates[index - 1].end if index > 0 else clause[0]
            next_start = dates[index + 1].start if index + 1 < len(dates) else clause[1]
            leading = text[max(clause[0], previous_end) : date.start]
            trailing = text[date.end : min(clause[1], next_start)]
            role = _role(leading, trailing, in_context)
            candidates.append((date, sentence, role, bool(_CHANGE.search(leading + " " + trailing)), home))
    results: list[DatedSentence] = []
    for date, sentence, role, changes, home in candidates:
        if role == "result" and not changes:
            # A level stated for an earlier date is the starting point when a later result follows it.
            later = any(
                other[2] in ("result", "ongoing") and other[0].first > date.last and other[4] == home
                for other in candidates
            )
            if later:
                role = "baseline"
        results.append(DatedSentence(date, sentence, role))  # type: ignore[arg-type]
    return results


def _role(leading: str, trailing: str, in_context: bool) -> str:
    if _SINCE.search(leading):
        return "ongoing"
    if _BASELINE.search(leading) or _BASELINE.search(trailing[:40]) or _COMPARED.search(leading):
        return "baseline"
    if _PLAN.search(leading[-80:]) or _PLAN.search(trailing[:60]):
        return "plan"
    if in_context:
        return "baseline"
    return "result"


def _describe(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def evidence_window(
    text: str, review: Review, category: Category, *, deadline: dt.date, window_months: int | None
) -> RuleResult:
    dated = dated_results(text, review, category)
    results = [d for d in dated if d.role in ("result", "ongoing")]
    future = [d for d in results if d.role == "result" and d.date.first > deadline]
    if window_months is None:
        stale: list[DatedSentence] = []
        current = [d for d in results if d not in future]
        window_note = f"the deadline ({_describe(deadline)})"
    else:
        window_start = months_before(deadline, window_months)
        stale = [d for d in results if d.role == "result" and d.date.last < window_start]
        current = [d for d in results if d not in stale and d not in future]
        window_note = (
            f"the {window_months}-month window ({_describe(window_start)} to the deadline, {_describe(deadline)})"
        )
    if not results:
        baselines = sum(d.role == "baseline" for d in dated)
        detail = f" ({baselines} dated baseline or comparison figure(s) only)" if baselines else ""
        return RuleResult(
            rule="evidence_window", status="pass",
            reason=f"No dated results to check against {window_note}{detail}.",
        )
    if stale and not current and not future:
        return RuleResult(
            rule="evidence_window", status="fail", quotes=_quotes(text, stale),
            reason=f"Every dated result ({len(stale)}) falls before {window_note}; the evidence is out of date.",
        )
    if future:
        extra = f"; {len(stale)} more fall before the window" if stale else ""
        return RuleResult(
            rule="evidence_window", status="needs_review", quotes=_quotes(text, future + stale),
            reason=f"{len(future)} result(s) are dated after the deadline ({_describe(deadline)}){extra}; "
            "check the dates.",
        )
    if stale:
        return RuleResult(
            rule="evidence_window", status="needs_review", quotes=_quotes(text, stale),
            reason=f"{len(stale)} of {len(results)} dated results fall before {window_note}; "
            "judges may discount them.",
        )
    return RuleResult(
        rule="evidence_window", status="pass", quotes=_quotes(text, current)[:2],
        reason=f"All {len(current)} dated result(s) fall within {window_note}.",
    )


def _quotes(text: str, items: list[DatedSentence]) -> list[str]:
    seen: list[str] = []
    for item in items:
        sentence = item.sentence.text(text)
        if sentence not in seen:
            seen.append(sentence)
    return seen[:5]
