"""Understand a chat message: its intents by a trained classifier, then what it mentions.

What a message asks is read by ``assistant.chat.understanding`` (a classifier trained on the team's
message set, with a confidence). What it is about is string work over the category's own names:
the criterion ("my outcomes bit", "section 3"), typos a keyword or two away ("sustainibility"), the
evidence type, the organisation's sector and any pasted text. Short follow-ups ("and that bit?")
reuse the last criterion. A few guards sit after the classifier, because they protect the draft:
pasted text is needed to check or replace a section, and wording aimed at an AI is never a revision.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.chat.mentions import (
    Payload,
    SectorMention,
    find_criterion,
    find_evidence_type,
    find_payload,
    find_sectors,
)
from assistant.chat.models import Intent, Turn
from assistant.chat.understanding import MessageModel, Prepared, Reading, correct_typos, normalise
from assistant.packs import Category, Programme
from assistant.taxonomy import EvidenceType
from assistant.warnings import find_ai_instructions

_BACK_REFERENCE = re.compile(r"\b(?:it|that|this|there|same|that one|this one|then)\b|^\W*(?:and|what about|ok|so)\b")
_CRITERION_INTENTS: set[Intent] = {"missing_criterion", "improve_criterion", "show_examples", "judges_look_for",
                                   "criteria_question", "revise_section", "check_pasted", "word_counts"}
_AWARD_NAME = re.compile(r"\b(?:hsj |the )?(?:value|partnership|patient safety|quality,? safety)(?: and improvement)? "
                         r"(?:awards?|categor(?:y|ies)|entr(?:y|ies))\b")
_NEEDS_PASTE: set[Intent] = {"revise_section", "check_pasted"}
# Questions about a section that, asked over pasted text, are about the pasted text.
_ABOUT_PASTE: set[Intent] = {"missing_criterion", "missing_overall", "improve_criterion", "judges_look_for",
                             "criteria_question"}

@dataclass(frozen=True)
class Request:
    """One user message, understood: what they want, about which criterion, with what pasted text."""

    intent: Intent
    criterion: str | None
    evidence_type: EvidenceType | None
    payload: Payload | None
    sectors: SectorMention
    method: str  # "model", "follow_up" or "guard": how the intent was decided
    confidence: float = 1.0
    alternatives: tuple[tuple[Intent, float], ...] = ()
    clarify: bool = False  # unsure: ask which reading is meant
    also: tuple[Request, ...] = field(default=())  # further asks in the same message, in order
    text: str = ""  # the words this request was read from

def clean(message: str) -> str:
    """``understanding.normalise`` with apostrophes dropped ("what's" → "whats"), for the name finders."""
    return re.sub(r"\bfrm\b", "from", normalise(message).replace("'", ""))


class IntentReader:
    """Reads messages for one category at a time with the trained message model (loaded on first use)."""

    def __init__(self, model: Callable[[], MessageModel]) -> None:
        self._load = model
        self._model: MessageModel | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> MessageModel:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def read(
        self, message: str, *, programme: Programme | None, category: Category | None, previous: Turn | None = None
    ) -> Request:
        payload = find_payload(message)
        previous_intent = previous.intent if previous and previous.intent != "clarify" else None
        prepared = Prepared.with_payload(message, payload, previous_intent)
        reading = self.model.read(prepared)
        names = [w for c in (category.criteria if category else []) for w in c.title.lower().split()]
        lead = payload.lead if payload else message
        text = correct_typos(clean(lead), names)
        criterion = self._criterion(text, programme, category)
        if payload and criterion is None and programme and category:
            criterion = find_criterion(payload.lead, programme, category)
        carried = previous.criterion if previous else None
        sectors = find_sectors(message)
        evidence_type = find_evidence_type(text)

        def request(intent: Intent, words: str, chosen: str | None, method: str = "model") -> Request:
            if intent == "missing_overall" and chosen:
                intent = "missing_criterion"
            if chosen is None and intent in _CRITERION_INTENTS and previous is not None and (
                    _BACK_REFERENCE.search(clean(words)) or len(words.split()) <= 4):
                chosen = carried
            if intent == "missing_criterion" and chosen is None:
                intent = "missing_overall"  # "what's missing?" about no criterion in particular: the whole draft
            return Request(intent, chosen, find_evidence_type(words) or evidence_type, payload, sectors, method,
                           confidence=reading.confidence, alternatives=tuple(reading.alternatives), text=words)

        intents, method = self._guard(reading, payload)
        if method == "model" and prepared.follow_up and intents[0] == previous_intent:
            method = "follow_up"
        main = request(intents[0], reading.parts[0] if len(intents) > 1 else text, criterion, method)
        if len(intents) > 1:
            second_words = correct_typos(clean(reading.parts[1]), names)
            second = request(intents[1], second_words,
                             self._criterion(second_words, programme, category) or criterion)
            main = Request(main.intent, self._criterion(correct_typos(clean(reading.parts[0]), names), programme,
                                                        category) or main.criterion,
                           main.evidence_type, main.payload, main.sectors, main.method, main.confidence,
                           main.alternatives, also=(second,), text=main.text)
        elif reading.clarify and method == "model":
            main = Request(main.intent, main.criterion, main.evidence_type, main.payload, main.sectors, main.method,
                           main.confidence, main.alternatives, clarify=True, text=main.text)
        return main

    @staticmethod
    def _criterion(text: str, programme: Programme | None, category: Category | None) -> str | None:
        """The criterion named, once award and category names are set aside ("the Value Awards" is not
        the Value criterion, "patient safety partnership entries" not the partnership one)."""
        if programme is None or category is None:
            return None
        for name in sorted({programme.name.lower(), category.title.lower(),
                            *(c.title.lower() for c in programme.categories)}, key=len, reverse=True):
            text = text.replace(name, " ")
        text = _AWARD_NAME.sub(" ", text)
        return find_criterion(text, programme, category)

    @staticmethod
    def _guard(reading: Reading, payload: Payload | None) -> tuple[list[Intent], str]:
        """Readings that would act on text the message does not hold are replaced by the next likeliest."""
        intents = list(reading.intents)
        if payload is not None and find_ai_instructions(payload.text):
            return ["injection"], "guard"  # wording aimed at an AI is never a revision, however it is introduced
        if payload is None and intents[0] in _NEEDS_PASTE:
            fallback: Intent = next((i for i, _ in reading.alternatives if i not in _NEEDS_PASTE), "help")
            return [fallback, *intents[1:]], "guard"
        if payload is not None and intents[0] in _ABOUT_PASTE:
            return ["check_pasted", *intents[1:]], "guard"
        return intents, "model"
