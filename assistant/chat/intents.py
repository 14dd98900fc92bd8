"""Understand a chat message without an LLM: typo-tolerant keyword rules, then meaning.

Rules catch the ways entrants actually type ("whats missing frm my outcomes bit?", "can u show me
how other winners did spread", "is this too long"); when no rule fires, the message is compared by
embedding with a few phrasings of each intent. Short follow-ups ("and spread?") reuse the last
intent, and "it"/"that section" reuse the last criterion.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.chat.mentions import (
    Payload,
    SectorMention,
    find_criterion,
    find_evidence_type,
    find_payload,
    find_sectors,
)
from assistant.chat.models import INTENTS, Intent, Turn
from assistant.packs import Category, Programme
from assistant.taxonomy import EvidenceType

Embed = Callable[[list[str]], np.ndarray]

# Checked in order: the first intent whose rule matches wins.
_RULES: list[tuple[Intent, re.Pattern[str]]] = [
    ("eligibility", re.compile(
        r"eligib|qualif|\bcan (?:we|i|us) (?:enter|apply|submit)|allowed to (?:enter|apply)|able to enter|"
        r"who can enter|entry rules|rules (?:for|on) (?:entering|entry)|ok to enter|deadline|closing date|"
        r"when (?:do|does) (?:entries|it) close")),
    ("word_counts", re.compile(
        r"word ?counts?|how many words|too (?:long|short|wordy)|\blength\b|word limit|over the limit|"
        r"under the limit|\bwords?\b.*\blimit|\blimit\b.*\bwords?\b|cut (?:it )?down|\btrim\b|how long is")),
    ("show_examples", re.compile(
        r"\bexamples?\b|show me how|how (?:did|do|have|would) (?:other|others|past|previous|winning|winners)|"
        r"other (?:winners|entries|entrants|teams|trusts)|past (?:winners|entries)|winning entr|"
        r"what good looks like|\bsamples?\b|exemplars?|\bwinners?\b")),
    ("improve_criterion", re.compile(
        r"improv|\bbetter\b|strengthen|stronger|\bfix\b|\bboost|\btips?\b|advice|suggest|"
        r"how (?:can|do|should|could|would) (?:i|we|u|you)\b|make (?:it|this|my|the)\b.*\b(?:better|stronger|good)|"
        r"what should (?:i|we) (?:add|do|change|write)|\brewrite\b|\bpolish\b|\bweak")),
    ("judges_look_for", re.compile(
        r"judg|look(?:ing)? for|assessor|\bscor(?:e|es|ed|ing)\b|\bmarks?\b|\bmarked\b|\bpanel\b|\bbands?\b|"
        r"what do they want")),
    ("missing_overall", re.compile(
        r"missing|lacking|\black|\bgaps?\b|what else|left out|forg[oe]t|\bomit|wrong|need to add|do i need|"
        r"have i (?:got|covered|missed)|\bcovered\b|complete|feedback|\breview\b|check (?:my|the|this|it)|"
        r"how am i doing|how (?:is|s) (?:my|it|this)|\bhows\b|any good|\bok\b\?")),
    ("criteria_question", re.compile(
        r"\bmean\b|criteri|what counts as|what is an? |definition|what goes in|\bcover\b|asking for|"
        r"\bquestions?\b|what (?:is|are) (?:the|a) |explain")),
    ("help", re.compile(r"\bhelp\b|what can you do|how does this work|^(?:hello|hi|hey)\b|\bstart\b")),
]
_REVISE_CUE = re.compile(
    r"\bhere(?:s| is| are|'s)\b|new version|\bupdated?\b|re-?wr[io]te|rewritten|revised?|redraft|changed|"
    r"\bnew\b|try this|how about this|replace|instead|edited|\bnow\b|section|part|\bbit\b")
_FOLLOW_UP = re.compile(r"^(?:and|what about|how about|ok(?:ay)?|now|also|same for|then)\b|^\W*\w+\W*$")
_BACK_REFERENCE = re.compile(r"\b(?:it|that|this|there|same|that one|this one)\b")
_CRITERION_INTENTS: set[Intent] = {"missing_criterion", "improve_criterion", "show_examples", "judges_look_for",
                                   "criteria_question", "revise_section"}

# Words the rules depend on; a typed word one or two edits away is read as the keyword.
_VOCABULARY = (
    "missing lacking eligible eligibility qualify example examples winners winner judges judge looking score "
    "improve improvement better strengthen stronger length limit words count review feedback criterion criteria "
    "section outcomes outcome spread scale value impact ambition involvement collaboration sustainability "
    "partnership testimonial testimonials baseline metrics evidence exemplar question questions complete "
    "definition explain suggest advice covered rewrite revised updated version"
).split()
# Real words a single edit from a keyword that must stay as typed.
_PROTECTED = {
    "wards", "ward", "worth", "where", "there", "value", "values", "scales", "stale", "court", "missed", "simple",
    "sample", "judged", "scored", "scope", "seven", "shown", "score",
}

_DESCRIPTIONS: dict[Intent, list[str]] = {
    "missing_overall": ["what is missing from my entry", "what evidence have I left out overall", "review my draft"],
    "missing_criterion": ["what is missing from this section", "what evidence does this criterion lack"],
    "improve_criterion": ["how can I improve this section", "how do I make this answer stronger"],
    "show_examples": ["show me examples from past winners", "how did other entries write this"],
    "judges_look_for": ["what do the judges look for", "how is this criterion scored"],
    "eligibility": ["am I eligible to enter this category", "can our organisation enter this award"],
    "word_counts": ["how many words is my entry", "is my entry too long for the word limit"],
    "revise_section": ["here is my new version of the section"],
    "criteria_question": ["what does this criterion mean", "what questions does this criterion ask"],
    "help": ["what can you do", "hello, how does this work"],
}


@dataclass(frozen=True)
class Request:
    """One user message, understood: what they want, about which criterion, with what pasted text."""

    intent: Intent
    criterion: str | None
    evidence_type: EvidenceType | None
    payload: Payload | None
    sectors: SectorMention
    method: str  # "rule", "follow_up", "meaning" or "default": how the intent was decided


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a transposition is one edit), stopping early past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def correct_typos(text: str, extra_vocabulary: Sequence[str] = ()) -> str:
    vocabulary = set(_VOCABULARY) | {w for w in extra_vocabulary if len(w) >= 5}

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 5 or word in vocabulary or word in _PROTECTED:
            return word
        # An inflection of a keyword ("counts", "scaled") is not a typo and may matter to a rule.
        if any(word.startswith(v) or v.startswith(word) for v in vocabulary):
            return word
        limit = 1 if len(word) < 8 else 2
        best = min(vocabulary, key=lambda v: (_edit_distance(word, v, limit), v))
        return best if _edit_distance(word, best, limit) <= limit else word

    return re.sub(r"[a-z]+", fix, text)


def clean(message: str) -> str:
    """Lower case, apostrophes dropped ("what's" → "whats"), text-speak expanded."""
    text = message.lower().replace("’", "'").replace("'", "")
    text = re.sub(r"\bu\b", "you", text)
    text = re.sub(r"\br\b", "are", text)
    text = re.sub(r"\bpls|plz\b", "please", text)
    text = re.sub(r"\bfrm\b", "from", text)
    return " ".join(text.split())


class IntentReader:
    """Deterministic intent understanding for one category at a time."""

    def __init__(self, embed: Embed) -> None:
        self._embed = embed
        self._vectors: tuple[list[Intent], np.ndarray] | None = None
        self._lock = threading.Lock()

    def read(
        self, message: str, *, programme: Programme | None, category: Category | None, previous: Turn | None = None
    ) -> Request:
        payload = find_payload(message)
        lead = payload.lead if payload else message
        names = [w for c in (category.criteria if category else []) for w in c.title.lower().split()]
        text = correct_typos(clean(lead), names)
        criterion = find_criterion(text, programme, category) if programme and category else None
        if payload and criterion is None and programme and category:
            criterion = find_criterion(payload.lead, programme, category)
        sectors = find_sectors(message)
        evidence_type = find_evidence_type(text)

        def request(intent: Intent, chosen: str | None, method: str) -> Request:
            if intent == "missing_overall" and chosen:
                intent = "missing_criterion"
            return Request(intent, chosen, evidence_type, payload, sectors, method)

        if payload and (_REVISE_CUE.search(text) or criterion or payload.lead.startswith("#")):
            return request("revise_section", criterion, "rule")
        carried = previous.criterion if previous else None
        for intent, pattern in _RULES:
            if pattern.search(text):
                if criterion is None and intent in _CRITERION_INTENTS and _BACK_REFERENCE.search(text):
                    criterion = carried
                return request(intent, criterion, "rule")
        if previous and previous.intent and (criterion or _FOLLOW_UP.search(text)):
            follow: Intent = "missing_criterion"
            if previous.intent in INTENTS and previous.intent != "revise_section":
                follow = previous.intent  # checked against INTENTS above
            return request(follow, criterion or carried, "follow_up")
        intent, score = self._by_meaning(text)
        if score >= 0.45:
            return request(intent, criterion, "meaning")
        return request("missing_criterion" if criterion else "help", criterion, "default")

    def _by_meaning(self, text: str) -> tuple[Intent, float]:
        with self._lock:
            if self._vectors is None:
                labels = [intent for intent, phrases in _DESCRIPTIONS.items() for _ in phrases]
                phrases = [p for items in _DESCRIPTIONS.values() for p in items]
                self._vectors = (labels, self._embed(phrases))
        labels, vectors = self._vectors
        scores = vectors @ self._embed([text])[0]
        best = int(np.argmax(scores))
        return labels[best], float(scores[best])
