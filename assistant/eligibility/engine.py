"""The eligibility engine: the pack's declarative rules over an entry's metadata and text.

``check_eligibility`` runs every rule in a fixed order. Each yields pass, fail or needs_review with
a one-sentence reason and quotes (exact substrings of the entry text where a quote makes sense).
Flag, don't reject: any fail makes the entry ineligible, any needs_review sends it to a person.
The review pipeline supplies sections and evidence; the embedding model supplies meaning.

The rules read sections, word counts and, for categories that require it, one kind of evidence,
so by default the engine asks for a screening review (``Reviewer.review(screen=...)``): the
classifier judges only the sentences that could show the category's required evidence. Setting
``eligibility_review`` to ``full`` runs the entrant's whole review instead; the eval suite measures
how often the two disagree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from assistant.documents import check_text
from assistant.eligibility import completeness, entrants, similarity
from assistant.eligibility.window import evidence_window
from assistant.errors import InvalidInput
from assistant.packs import Category, Programme, Sector
from assistant.review import Eligibility, Review, RuleResult
from assistant.warnings import TextHit, find_ai_instructions, find_pii

if TYPE_CHECKING:
    from assistant.service import Assistant

RULE_IDS: tuple[str, ...] = (
    "entrant_sector",
    "primary_entrant",
    "required_partners",
    "evidence_window",
    "required_criteria",
    "word_limits",
    "category_requirements",
    "category_fit",
    "re_entry",
    "duplicate_entry",
    "pii",
    "ai_instructions",
)
Verdict = Literal["eligible", "ineligible", "needs_review"]


class Entrant(BaseModel):
    """Who entered and with whom: what the entrant rules read besides the text."""

    model_config = ConfigDict(extra="forbid")

    organisation: str = ""
    sector: Sector | None = None
    partners: list[str] = Field(default_factory=list)
    partner_sectors: list[Sector] = Field(default_factory=list)


class EntryInput(Entrant):
    """One entry as an organiser holds it: who entered, with whom, and the text."""

    id: str = ""
    text: str
    previous_entries: list[str] = Field(default_factory=list, description="Texts of earlier entries to compare")
    deadline: dt.date | None = Field(default=None, description="Overrides the programme deadline")
    other_categories: list[str] = Field(default_factory=list, description="Other categories the entry is in")
    hidden: list[str] = Field(
        default_factory=list, description="Text the entry's file hides from readers (Document.hidden)"
    )


@dataclass(frozen=True)
class EntrySignature:
    """What a batch needs to find near-identical entries without keeping their text."""

    vector: list[float]
    sketch: list[int]


def verdict_of(rules: list[RuleResult]) -> Verdict:
    statuses = {r.status for r in rules}
    if "fail" in statuses:
        return "ineligible"
    if "needs_review" in statuses:
        return "needs_review"
    return "eligible"


@dataclass
class _Cache:
    """Per-Assistant memo of category profiles and previous-entry fingerprints."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    profiles: dict[str, np.ndarray] = field(default_factory=dict)
    previous: dict[str, tuple[np.ndarray, set[int]]] = field(default_factory=dict)


_CACHES: weakref.WeakKeyDictionary[Assistant, _Cache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache(assistant: Assistant) -> _Cache:
    with _CACHES_LOCK:
        if assistant not in _CACHES:
            _CACHES[assistant] = _Cache()
        return _CACHES[assistant]


def _profiles(assistant: Assistant, programme: Programme) -> np.ndarray:
    cache = _cache(assistant)
    key = hashlib.sha256(programme.model_dump_json().encode()).hexdigest()
    with cache.lock:
        if key not in cache.profiles:
            cache.profiles[key] = similarity.category_profiles(assistant.embeddings.embed_array, programme)
        return cache.profiles[key]


def _previous(assistant: Assistant, texts: list[str]) -> list[tuple[np.ndarray, set[int]]]:
    cache = _cache(assistant)
    found = []
    with cache.lock:
        for text in texts:
            key = hashlib.sha256(text.encode()).hexdigest()
            if key not in cache.previous:
                if len(cache.previous) >= assistant.settings.server.texts_cached:
                    cache.previous.pop(next(iter(cache.previous)))
                vector = similarity.text_vector(assistant.embeddings.embed_array, text)
                cache.previous[key] = (vector, similarity.shingles(text))
            found.append(cache.previous[key])
    return found


ReviewMode = Literal["screening", "full"]


def check_eligibility(
    assistant: Assistant,
    entry: EntryInput,
    programme: Programme,
    category: Category,
    *,
    mode: ReviewMode | None = None,
    review: Review | None = None,
) -> Eligibility:
    """Every rule of ``RULE_IDS`` over one entry, and the verdict they add up to."""
    return evaluate_entry(assistant, entry, programme, category, mode=mode, review=review)[0]


def evaluate_entry(
    assistant: Assistant,
    entry: EntryInput,
    programme: Programme,
    category: Category,
    *,
    mode: ReviewMode | None = None,
    review: Review | None = None,
) -> tuple[Eligibility, EntrySignature]:
    """The eligibility and the entry's signature (for finding duplicates across a batch).

    ``mode`` picks the review the rules read; by default the ``eligibility_review`` setting's.
    ``review`` is the entrant's own review of this very text, when there is one: it is read as is.
    """
    text = check_text(entry.text, max_chars=assistant.settings.limits.max_draft_chars, name=entry.id or "entry")
    rules_config = category.eligibility
    if review is None:
        full = (mode or assistant.settings.eligibility_review) == "full"
        screen = None if full else rules_config.required_evidence
        review = assistant.reviewer.review(text, programme, category, examples=False, screen=screen)
    elif (review.programme.id, review.category.id) != (programme.id, category.id):
        raise InvalidInput(
            f"The review is for {review.programme.id}/{review.category.id}, not {programme.id}/{category.id}."
        )
    vector = similarity.text_vector(assistant.embeddings.embed_array, text)
    hashes = similarity.shingles(text)
    rules = [
        entrants.entrant_sector(entry, rules_config, text),
        entrants.primary_entrant(entry, rules_config, text),
        entrants.required_partners(entry, rules_config, text),
        evidence_window(
            text, review, category, deadline=entry.deadline or programme.deadline,
            window_months=rules_config.evidence_window_months,
        ),
        completeness.required_criteria(text, review, category),
        completeness.word_limits(text, review, programme, category),
        completeness.category_requirements(review, category),
        _category_fit(assistant, text, vector, programme, category),
        _re_entry(assistant, text, vector, hashes, entry.previous_entries),
        _duplicate(entry.other_categories),
        _pii(text),
        ai_instructions_rule(text, entry.hidden, by_meaning=assistant.find_instructions_by_meaning(text)),
    ]
    signature = EntrySignature(vector=[round(float(x), 6) for x in vector], sketch=similarity.sketch(hashes))
    return Eligibility(verdict=verdict_of(rules), rules=rules), signature


def _category_fit(
    assistant: Assistant, text: str, vector: np.ndarray, programme: Programme, category: Category
) -> RuleResult:
    if len(programme.categories) < 2:
        return RuleResult(rule="category_fit", status="pass", reason=f"{programme.name} has only one category.")
    fits = similarity.category_fits(text, vector, programme, _profiles(assistant, programme))
    own = next((f for f in fits if f.category.id == category.id), None)
    if own is None:
        return RuleResult(rule="category_fit", status="pass", reason=f"'{category.title}' is not in {programme.name}.")
    # A category the pack says an entry may also fit (a theme across settings) is no better fit.
    rivals = [f for f in fits if f.category.id != category.id and not programme.overlapping(category.id, f.category.id)]
    if not rivals:
        return RuleResult(
            rule="category_fit", status="pass",
            reason=f"Every other category of {programme.name} may hold the same entry as '{category.title}'.",
        )
    best = rivals[0]
    if best.score - own.score >= similarity.FIT_MARGIN:
        return RuleResult(
            rule="category_fit", status="needs_review",
            quotes=similarity.sentences_with(text, best.keywords),
            reason=f"The entry reads closer to '{best.category.title}' (fit {best.score:.2f}) than to its own "
            f"category '{category.title}' (fit {own.score:.2f}); better fit: {best.category.title} "
            f"({best.category.id}).",
        )
    return RuleResult(
        rule="category_fit", status="pass", quotes=similarity.sentences_with(text, own.keywords, limit=2),
        reason=f"The entry fits '{category.title}' (fit {own.score:.2f}); no other category is clearly closer "
        f"(nearest: '{best.category.title}', {best.score:.2f}).",
    )


def _re_entry(
    assistant: Assistant, text: str, vector: np.ndarray, hashes: set[int], previous: list[str]
) -> RuleResult:
    if not previous:
        return RuleResult(rule="re_entry", status="pass", reason="No previous entries were supplied to compare with.")
    best_index, best_reuse, best_cosine = 0, -1.0, -1.0
    for index, (other_vector, other_hashes) in enumerate(_previous(assistant, previous)):
        reuse = similarity.containment(hashes, other_hashes)
        cosine = float(other_vector @ vector)
        if (reuse, cosine) > (best_reuse, best_cosine):
            best_index, best_reuse, best_cosine = index, reuse, cosine
    source = previous[best_index]
    if best_reuse >= similarity.REUSE_CONTAINMENT or best_cosine >= similarity.REUSE_COSINE:
        return RuleResult(
            rule="re_entry", status="needs_review", quotes=similarity.shared_sentences(text, source),
            reason=f"The entry repeats a previous entry (\"{similarity.opening_words(source)}\"): "
            f"{best_reuse:.0%} of its wording recurs and its meaning matches at {best_cosine:.2f}; "
            "a re-entry needs a significant update.",
        )
    return RuleResult(
        rule="re_entry", status="pass",
        reason=f"The entry differs from all {len(previous)} previous entries (closest: {best_reuse:.0%} shared "
        f"wording, meaning {best_cosine:.2f}).",
    )


def _duplicate(other_categories: list[str]) -> RuleResult:
    if other_categories:
        return RuleResult(
            rule="duplicate_entry", status="needs_review",
            reason=f"The same entry is also entered in {', '.join(other_categories)}; "
            "check the programme allows it and that each version answers its own category.",
        )
    return RuleResult(rule="duplicate_entry", status="pass", reason="The entry is not entered in other categories.")


def _unique_quotes(quotes: Iterable[str], limit: int = 5) -> list[str]:
    return [q for q in dict.fromkeys(quote.strip() for quote in quotes) if q][:limit]


def _pii(text: str) -> RuleResult:
    hits = find_pii(text)
    if not hits:
        return RuleResult(rule="pii", status="pass", reason="No patient-identifiable information was found.")
    labels = sorted({h.label for h in hits})
    quotes = _unique_quotes(h.quote(text) for h in hits)
    return RuleResult(
        rule="pii", status="needs_review", quotes=quotes,
        reason=f"Possible patient-identifiable information ({', '.join(labels)}); "
        "it must be removed before judges see the entry.",
    )


def ai_instructions_rule(text: str, hidden: Sequence[str] = (), *, by_meaning: Sequence[TextHit] = ()) -> RuleResult:
    """Sentences addressing AI reviewers (patterns, plus ``by_meaning`` hits), and text hidden in the file."""
    hits = find_ai_instructions(text)
    hits += [h for h in by_meaning if not any(h.start < o.end and o.start < h.end for o in hits)]
    pieces = [p for p in dict.fromkeys(hidden) if len(p.split()) >= 3]
    if not hits and not pieces:
        return RuleResult(rule="ai_instructions", status="pass", reason="No instructions aimed at AI reviewers.")
    quotes = _unique_quotes([*(h.quote(text) for h in hits), *pieces])
    reasons = []
    if hits:
        reasons.append(f"{len(hits)} sentence(s) address AI or automated reviewers, an attempt to influence scoring")
    if pieces:
        reasons.append(f"{len(pieces)} piece(s) of text are hidden in the file (hidden, white or tiny text), "
                       "which only a machine reads")
    return RuleResult(rule="ai_instructions", status="needs_review", quotes=quotes, reason="; ".join(reasons) + ".")
