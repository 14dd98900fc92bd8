"""Answers that protect the draft and the entrant: checking pasted text without saving it, the gate
a replacement must pass before it becomes a version, undo, instructions aimed at an AI, requests to
invent evidence, off-topic messages and the clarifying question.

None of these ever changes the draft except ``undo`` (which restores the previous version's text as
a new version, so nothing is lost) and a replacement that passes the gate.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from assistant.chat.citing import Citer
from assistant.chat.models import Choice, Citation, DraftVersion, Intent
from assistant.chat.store import now
from assistant.chat.understanding import CUES, normalise
from assistant.errors import ConfigError
from assistant.sentences import split_sentences
from assistant.taxonomy import LABELS, EvidenceType
from assistant.warnings import find_ai_instructions

if TYPE_CHECKING:
    from assistant.chat.compose import Answer, Composer, TurnContext

# A replacement must be at least this long, and read like the section or the criterion it replaces.
MIN_REPLACEMENT_WORDS = 12
MIN_RESEMBLANCE = 0.12
SOURCES_FILE = Path("chat") / "sources.yaml"  # under the knowledge folder
# Sentences of a draft that already name where data comes from.
_DATA_WORDS = re.compile(
    r"\b(?:audit(?:ed|s)?|data|dashboard|survey(?:s|ed)?|records?|reports?|spreadsheet|finance|costing|tariff|SPC|"
    r"run charts?|feedback|Friends and Family|FFT|Datix|EPR|informatics|business intelligence|invoices?|"
    r"monitor(?:ed|ing)|measured|tracked|collect(?:ed|ing)?)\b", re.I)


class MessageCiter(Citer):
    """Cites sentences of the entrant's own message (pasted text), with offsets into that message."""

    def __init__(self, message: str, base: Citer) -> None:
        super().__init__(base.version, base.programme, base.category, base.citations)
        self.message = message

    def draft(self, quote: str, start: int | None = None, end: int | None = None) -> str:
        found = self.message.find(quote)
        if found >= 0:
            self._add(Citation(kind="message", ref="message", quote=quote, start=found, end=found + len(quote),
                               source="your message"))
        return quote


# -- the clarifying question ----------------------------------------------------------------------
# intent: (button label, message sent) about a criterion ({title}), then the same without one.
_CHOICE_WORDS: dict[str, tuple[tuple[str, str], tuple[str, str] | None]] = {
    "missing_overall": (("What's missing overall", "What's missing from my entry?"),) * 2,
    "missing_criterion": (("What's missing in {title}", "What's missing from my {title} section?"),
                          ("What's missing overall", "What's missing from my entry?")),
    "improve_criterion": (("How to improve {title}", "How can I improve my {title} section?"),
                          ("What to improve first", "Which section should I improve first, and how?")),
    "show_examples": (("Examples of {title} from past winners", "Show me examples of {title} from past winners"),
                      ("Examples from past winners", "Show me examples from past winning entries")),
    "judges_look_for": (("What judges look for in {title}", "What do the judges look for in {title}?"),
                        ("What judges look for", "What do the judges look for?")),
    # Without a criterion there is nothing particular to explain: that reading is not offered.
    "criteria_question": (("What {title} means", "What does the {title} criterion mean?"), None),
    "eligibility": (("Whether you can enter", "Am I eligible to enter this category?"),) * 2,
    "word_counts": (("Word counts and limits", "Is my entry within the word limits?"),) * 2,
    "undo": (("Undo my last change", "Undo my last change"),) * 2,
    "help": (("What Shortlist can do", "What can you do?"),) * 2,
}


def choices_for(ctx: TurnContext, intents: list[Intent]) -> list[Choice]:
    """Buttons for the likely readings of a message: each sends a plain wording of one reading."""
    assert ctx.category is not None
    title = ctx.category.criterion(ctx.request.criterion).title if ctx.request.criterion else ""
    chosen: list[Choice] = []
    for intent in intents:
        if intent == "revise_section" and ctx.request.payload and title:
            choice = Choice(label=f"Replace {title} with this",
                            message=f"Replace my {title} section with this:\n\n{ctx.request.payload.text}")
        elif intent in _CHOICE_WORDS:
            about, general = _CHOICE_WORDS[intent]
            wording = about if title else general
            if wording is None:
                continue
            label, message = wording
            choice = Choice(label=label.format(title=title), message=message.format(title=title))
        else:
            continue
        if choice not in chosen:
            chosen.append(choice)
    return chosen[:3]


def clarify(composer: Composer, ctx: TurnContext, citer: Citer) -> Answer:
    readings = [intent for intent, p in ctx.request.alternatives if p >= 0.08] or [ctx.request.intent]
    options = choices_for(ctx, readings)
    if len(options) < 2:
        options = choices_for(ctx, [*readings, "missing_overall", "improve_criterion", "help"])
    answer = composer.render("answer_clarify", ctx, citer, **composer.base(ctx, citer), choices=options)
    answer.intent = "clarify"
    answer.choices = options
    return answer


# -- pasted text ----------------------------------------------------------------------------------
def _guess_criterion(composer: Composer, ctx: TurnContext, text: str) -> str:
    """The criterion a pasted section answers, read by the reviewer's own section finder."""
    assert ctx.programme is not None and ctx.category is not None
    sections = composer.tools.assistant.reviewer.sections(text, ctx.programme, ctx.category)
    sizes: dict[str, int] = {}
    for section in sections.sections:
        if section.criterion:
            sizes[section.criterion] = sizes.get(section.criterion, 0) + section.end - section.start
    return max(sizes, key=lambda k: sizes[k]) if sizes else ctx.category.criteria[0].id


def target(composer: Composer, ctx: TurnContext, pasted: str) -> tuple[str, bool]:
    """The criterion pasted text is about: named in the message, else inferred (guessed=True)."""
    if ctx.request.criterion:
        return ctx.request.criterion, False
    return _guess_criterion(composer, ctx, pasted), True


def _instructs_ai(composer: Composer, text: str) -> bool:
    """Pasted text holds an instruction aimed at AI reviewers, by pattern or by meaning."""
    return bool(find_ai_instructions(text) or composer.tools.assistant.find_instructions_by_meaning(text))


def check_pasted(composer: Composer, ctx: TurnContext, citer: Citer) -> Answer:
    assert ctx.request.payload is not None
    if _instructs_ai(composer, ctx.request.payload.text):
        return injection(composer, ctx, citer, pasted=True)
    return _check(composer, ctx, citer)


def _check(composer: Composer, ctx: TurnContext, citer: Citer) -> Answer:
    """What pasted text (already screened) carries and lacks for its criterion; the draft is not touched."""
    from assistant.chat.compose import criterion_view

    assert ctx.programme is not None and ctx.category is not None and ctx.request.payload is not None
    pasted = ctx.request.payload.text
    criterion_id, guessed = target(composer, ctx, pasted)
    criterion = ctx.category.criterion(criterion_id)
    review = composer.tools.review(f"{criterion.title}\n\n{pasted}", ctx.programme, ctx.category)
    quoting = MessageCiter(ctx.message, citer)
    view = criterion_view(review.criterion(criterion_id), quoting)
    questions = citer.criterion(criterion)["questions"]
    offer = ctx.version is not None and len(pasted.split()) >= MIN_REPLACEMENT_WORDS
    answer = composer.render("answer_check_pasted", ctx, citer, criterion=criterion_id, **composer.base(ctx, citer),
                             title=criterion.title, guessed=guessed, item=view, questions=questions, offer=offer)
    answer.citations = quoting.citations
    answer.intent = "check_pasted"
    if offer:
        answer.choices = [Choice(label=f"Replace {criterion.title} with this",
                                 message=f"Replace my {criterion.title} section with this:\n\n{pasted}")]
    return answer


def says_replace(lead: str) -> bool:
    """Whether the words before a paste say it is a new version of a section."""
    return bool(CUES["replace"].search(normalise(lead)))


def _resembles(composer: Composer, ctx: TurnContext, criterion_id: str, pasted: str) -> bool:
    """Pasted text reads like the section it would replace, or like an answer to that criterion."""
    assert ctx.category is not None
    criterion = ctx.category.criterion(criterion_id)
    references = [" ".join([criterion.title, *criterion.questions])]
    if ctx.version is not None:
        references.append(ctx.version.text[:4000])
    embed = composer.tools.assistant.embeddings.embed_array
    vectors = embed([pasted, *references])
    return float(np.max(vectors[1:] @ vectors[0])) >= MIN_RESEMBLANCE


def gate(composer: Composer, ctx: TurnContext, citer: Citer) -> Answer | None:
    """None when the paste may replace a section; otherwise the answer that explains why it did not."""
    assert ctx.category is not None and ctx.request.payload is not None
    payload = ctx.request.payload
    if _instructs_ai(composer, payload.text):
        return injection(composer, ctx, citer, pasted=True)
    if ctx.version is None:
        return None  # a first draft pasted into a new conversation becomes version 1
    criterion_id, _ = target(composer, ctx, payload.text)
    title = ctx.category.criterion(criterion_id).title
    words = len(payload.text.split())
    reason = ""
    if words < MIN_REPLACEMENT_WORDS:
        reason = (f"the pasted text is {words} words, too short to replace a section "
                  f"(a replacement needs at least {MIN_REPLACEMENT_WORDS}).")
    elif not _resembles(composer, ctx, criterion_id, payload.text):
        reason = f"the pasted text does not read like an answer to {title} or like any part of your draft."
    if reason:
        answer = composer.render("answer_not_a_section", ctx, citer, criterion=criterion_id,
                                 **composer.base(ctx, citer), title=title, reason=reason)
        answer.intent = "revise_section"
        return answer
    if not says_replace(payload.lead):
        return _check(composer, ctx, citer)
    return None


# -- undo -----------------------------------------------------------------------------------------
def undo_version(versions: list[DraftVersion]) -> DraftVersion | None:
    """The version that undoes the latest: the previous version's text, saved as a new version."""
    if len(versions) < 2:
        return None
    latest, previous = versions[-1], versions[-2]
    return DraftVersion(number=latest.number + 1, text=previous.text, created_at=now(),
                        note=f"undo: restored version {previous.number}")


def undo(composer: Composer, ctx: TurnContext, citer: Citer) -> Answer:
    version = undo_version(ctx.versions)
    answer = composer.render(
        "answer_undo", ctx, citer, **composer.base(ctx, citer),
        restored=ctx.versions[-2].number if version else None, new_version=version.number if version else None,
        undone_note=ctx.versions[-1].note if version else "",
    )
    answer.version = version
    return answer


# -- instructions aimed at an AI, invented evidence, off-topic --------------------------------------
def injection(composer: Composer, ctx: TurnContext, citer: Citer, *, pasted: bool = False) -> Answer:
    payload = ctx.request.payload
    pasted = pasted or bool(payload and find_ai_instructions(payload.text))
    planted: list[dict[str, Any]] = []
    review = composer.review(ctx)
    if review is not None and ctx.category is not None:
        titles = {c.id: c.title for c in ctx.category.criteria}
        for warning in review.warnings:
            if warning.kind == "ai_instruction" and warning.quote:
                planted.append({"quote": citer.draft(warning.quote, warning.start, warning.end),
                                "where": f"in {titles[warning.criterion]}" if warning.criterion in titles else ""})
    answer = composer.render("answer_injection", ctx, citer, **composer.base(ctx, citer), planted=planted,
                             pasted=pasted)
    answer.intent = "injection"
    return answer


@cache
def _sources(path: Path) -> dict[str, dict[str, Any]]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from exc
    if not isinstance(loaded, dict) or "default" not in loaded:
        raise ConfigError(f"{path} must map evidence types to a placeholder and sources, with a 'default'.")
    return loaded


_INVENT_TYPES: list[tuple[EvidenceType, re.Pattern[str]]] = [
    ("value", re.compile(r"sav(?:e|ed|ing|ings)|£|cost|money|roi|return on|financ|cash|budget", re.I)),
    ("testimonial", re.compile(r"quote|testimonial|said|story|feedback|comment|words", re.I)),
    ("baseline", re.compile(r"baseline|before|starting|comparison", re.I)),
    ("metric", re.compile(r"percent|%|figure|number|statistic|data|reduction|rate|result|outcome", re.I)),
    ("patient_involvement", re.compile(r"patient (?:involvement|engagement)|co-?design|focus group", re.I)),
    ("spread", re.compile(r"spread|rolled out|other sites|adopt", re.I)),
]


def invent(composer: Composer, ctx: TurnContext, citer: Citer) -> Answer:
    kind = next((t for t, pattern in _INVENT_TYPES if pattern.search(ctx.message)), ctx.request.evidence_type)
    entries = _sources(composer.tools.assistant.knowledge.root / SOURCES_FILE)
    entry = entries.get(kind or "default") or entries["default"]
    mentions: list[str] = []
    if ctx.version is not None:
        text = ctx.version.text
        for sentence in split_sentences(text):
            quote = sentence.text(text)
            if _DATA_WORDS.search(quote) and len(mentions) < 2:
                mentions.append(citer.draft(quote, sentence.start, sentence.end))
    title = ctx.category.criterion(ctx.request.criterion).title if ctx.category and ctx.request.criterion else ""
    answer = composer.render("answer_invent", ctx, citer, criterion=ctx.request.criterion,
                             **composer.base(ctx, citer), title=title, label=LABELS[kind] if kind else "evidence",
                             placeholder=entry["placeholder"], sources=entry["sources"], mentions=mentions)
    return answer


def off_topic(composer: Composer, ctx: TurnContext, citer: Citer) -> Answer:
    assert ctx.category is not None
    return composer.render("answer_off_topic", ctx, citer, **composer.base(ctx, citer),
                           criteria=[c.title for c in ctx.category.criteria])
