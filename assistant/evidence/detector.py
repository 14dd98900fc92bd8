"""Sentence-level evidence detection: rules, an embedding classifier with a context head, hard cases.

The classifier is a one-vs-rest logistic regression per evidence type over [sentence embedding,
mean neighbour embedding, word n-grams, rule features, neighbours' rule scores, quotation flag]
(``assistant.evidence.features``). It is trained on the team's evidence bank plus the real-text
training split (``knowledge/evidence/real``), where every sentence is read among its neighbours,
and averaged (``BANK_SHARE``) with the same classifier trained on the bank alone.

Each type's probability is then mapped onto one confidence scale: the per-type threshold
calibrated on real text (``knowledge/evidence/thresholds.json``, written by ``shortlist eval
calibrate``) becomes ``CALIBRATED_AT``, so the ``detection.threshold`` setting (default 0.7) means
"at the calibrated threshold" for every type. After that, context and DESIGN.md's hard cases are
applied as explicit rules: every sentence of an attributed quotation is a testimonial, a type the
hard cases rule out (``assistant.evidence.hardcases``) is held below the threshold, and a claim
next to a figure about the same thing is cleared.

Screening (``screen_spans``) answers a narrower question for the eligibility engine: does any
sentence show these few evidence types? A cheap first stage (a logistic regression over word
n-grams and rule features, without the embedding) keeps the sentences that could show them, at a
threshold set by cross-validation on the bank to keep nine in ten of its positives; only those
sentences (and their neighbours) are embedded and scored by the full classifier. Every other
sentence keeps its rule scores.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evidence.context import Context
from assistant.evidence.features import Example, examples_for_spans
from assistant.evidence.hardcases import ruled_out
from assistant.evidence.rules import JUDGES, SPECIFIC, apply_rules, reported_feedback
from assistant.evidence.training import REAL_WEIGHT, TrainedModels, load_or_train
from assistant.knowledge import BankSentence, RealText
from assistant.sentences import Span, split_sentences
from assistant.taxonomy import EVIDENCE_TYPES, EvidenceType

log = logging.getLogger(__name__)

# The confidence a calibrated per-type threshold maps to.
CALIBRATED_AT = 0.7
# The final confidence averages the model trained on bank + real text (calibrated) with the model
# trained on the bank alone, equally: real text moves detection towards how NHS teams write, and the
# bank's model keeps what the team's curated sentences decide (docs/detection.md has the figures).
BANK_SHARE = 0.5
# Confidence given to every sentence of an attributed quotation.
QUOTED_CONFIDENCE = 0.9
# Confidence given to an identifiable group's feedback reported without quotation marks (rules.reported_feedback).
REPORTED_CONFIDENCE = 0.8

_STOP = set(
    "the and for with from that this our was were has have had been their they its into than also which who all are "
    "but not per over more less now new service team patients staff".split()
)


@dataclass(frozen=True)
class SentenceEvidence:
    """One sentence of a text with the confidence of each evidence type."""

    span: Span
    text: str
    probabilities: dict[EvidenceType, float]
    threshold: float

    @property
    def types(self) -> list[EvidenceType]:
        return [t for t in EVIDENCE_TYPES if self.probabilities.get(t, 0.0) >= self.threshold]


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in _STOP}


def testimony(example: Example, *, context: bool = True, rules: bool = True) -> float | None:
    """The testimonial confidence a sentence carries whatever the classifier says, or None.

    With ``context``, every sentence of an attributed quotation (judges' words never count); with ``rules``,
    an identifiable group's feedback reported without quotation marks. Calibration applies the same.
    """
    if context and example.context.quoted and not JUDGES.search(example.text):
        return QUOTED_CONFIDENCE
    if rules and reported_feedback(example.text):
        return REPORTED_CONFIDENCE
    return None


def calibrate(probability: float, threshold: float | None) -> float:
    """Map a type's raw probability so that its calibrated threshold lands on CALIBRATED_AT (monotone)."""
    if threshold is None or not 0.0 < threshold < 1.0:
        return probability
    if probability < threshold:
        return CALIBRATED_AT * probability / threshold
    return CALIBRATED_AT + (1 - CALIBRATED_AT) * (probability - threshold) / (1 - threshold)


class EvidenceDetector:
    """Trained once per process (or loaded from the data dir's cache); detection embeds only the draft."""

    def __init__(
        self,
        *,
        embed: Callable[[list[str]], np.ndarray],
        bank: Sequence[BankSentence],
        real: Sequence[RealText] = (),
        stored: Path | None = None,
        bank_vectors: np.ndarray | None = None,
        use_rules: bool = True,
        use_classifier: bool = True,
        use_context: bool = True,
        use_hard_cases: bool = True,
        threshold: float = CALIBRATED_AT,
        thresholds: Mapping[str, float] | None = None,
        real_weight: float = REAL_WEIGHT,
        regularisation: float = 16.0,
        cache_dir: Path | None = None,
        model_id: str = "",
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self._embed = embed
        self.use_rules = use_rules
        self.use_context = use_context
        self.use_hard_cases = use_hard_cases
        self.threshold = threshold
        self.thresholds: dict[str, float] = dict(thresholds or {})
        self._trained: TrainedModels | None = None
        self._bank_only: TrainedModels | None = None
        common: dict[str, Any] = {
            "embed": embed, "bank": bank, "bank_vectors": bank_vectors, "use_rules": use_rules,
            "real_weight": real_weight, "regularisation": regularisation, "cache_dir": cache_dir, "model_id": model_id,
        }
        if use_classifier and (real or stored is not None):
            # The bank-only model keeps what the team-written sentences teach (see BANK_SHARE).
            self._bank_only = load_or_train(real=(), stored=None, use_context=False, **common)
        if use_classifier:
            self._trained = load_or_train(real=real, stored=stored, use_context=use_context, progress=progress,
                                          **common)
            if not self._trained.models:
                log.warning("evidence training data is empty; the classifier is off")
                self._trained = None

    @property
    def use_classifier(self) -> bool:
        return self._trained is not None

    # -- scoring ---------------------------------------------------------------------------------
    def _raw(self, examples: Sequence[Example], vectors: np.ndarray | None) -> list[dict[EvidenceType, float]]:
        results: list[dict[EvidenceType, float]] = [{} for _ in examples]
        if self._trained is not None and examples:
            if vectors is None:
                vectors = self._embed([e.text for e in examples])
            for evidence_type, column in self._trained.predict(examples, vectors).items():
                for row, probability in zip(results, column, strict=True):
                    row[evidence_type] = calibrate(float(probability), self.thresholds.get(evidence_type))
            if self._bank_only is not None and self._bank_only.models:
                for evidence_type, column in self._bank_only.predict(examples, vectors).items():
                    for row, probability in zip(results, column, strict=True):
                        mine = row.get(evidence_type, float(probability))
                        row[evidence_type] = BANK_SHARE * float(probability) + (1 - BANK_SHARE) * mine
        if self.use_rules:
            for row, example in zip(results, examples, strict=True):
                for evidence_type in EVIDENCE_TYPES:
                    row.setdefault(evidence_type, example.rules.scores.get(evidence_type, 0.0))
        return results

    def _score(self, examples: Sequence[Example], vectors: np.ndarray | None) -> list[dict[EvidenceType, float]]:
        """Classifier (or rule) confidences, then context and the hard cases as explicit rules."""
        results = self._raw(examples, vectors)
        for row, example in zip(results, examples, strict=True):
            words = testimony(example, context=self.use_context, rules=self.use_rules)
            if words is not None:
                row["testimonial"] = max(row.get("testimonial", 0.0), words)
            if self.use_hard_cases:
                for evidence_type in ruled_out(example.text):
                    if evidence_type == "testimonial" and example.context.quoted:
                        continue
                    row[evidence_type] = min(row.get(evidence_type, 0.0), self.threshold / 2)
        return results

    def _findings(
        self, spans: Sequence[Span], examples: Sequence[Example], scores: list[dict[EvidenceType, float]]
    ) -> list[SentenceEvidence]:
        findings = [
            SentenceEvidence(span=span, text=example.text, probabilities=probs, threshold=self.threshold)
            for span, example, probs in zip(spans, examples, scores, strict=True)
        ]
        return self._clear_supported_claims(findings)

    def detect_spans(self, text: str, spans: list[Span], vectors: np.ndarray | None = None) -> list[SentenceEvidence]:
        """Evidence per sentence span (in reading order); pass ``vectors`` when they are already embedded."""
        examples = examples_for_spans(text, spans)
        return self._findings(spans, examples, self._score(examples, vectors))

    def screen_spans(
        self,
        text: str,
        spans: list[Span],
        focus: Collection[EvidenceType],
        embed: Callable[[list[str]], np.ndarray] | None = None,
    ) -> list[SentenceEvidence]:
        """Evidence per sentence where only the ``focus`` types need the classifier's judgement.

        Sentences the cheap stage flags, or a rule fires on, for a focus type are embedded with their
        neighbours (through ``embed``, so a caller's cache is reused) and scored in full; the rest keep
        rule scores, with focus types held below the reporting threshold.
        """
        examples = examples_for_spans(text, spans)
        probabilities: list[dict[EvidenceType, float]] = [dict(e.rules.scores) for e in examples]
        trained = self._trained
        wanted = [t for t in focus if trained is not None and t in trained.screens]
        if examples and wanted and trained is not None:
            first = trained.screen(examples, wanted)
            keep = np.zeros(len(examples), dtype=bool)
            for evidence_type, (column, cutoff) in first.items():
                rule_hit = np.asarray([e.rules.scores.get(evidence_type, 0.0) > 0 for e in examples])
                keep |= (column >= cutoff) | rule_hit
            for index in np.flatnonzero(~keep):
                for evidence_type, (column, _) in first.items():
                    probabilities[int(index)][evidence_type] = float(column[index])
            chosen = [int(i) for i in np.flatnonzero(keep)]
            if chosen:
                probabilities = self._screen_chosen(examples, chosen, probabilities, embed or self._embed)
        return self._findings(spans, examples, probabilities)

    def _screen_chosen(
        self,
        examples: list[Example],
        chosen: list[int],
        probabilities: list[dict[EvidenceType, float]],
        embed: Callable[[list[str]], np.ndarray],
    ) -> list[dict[EvidenceType, float]]:
        needed = set(chosen)
        if self.use_context:
            for index in chosen:
                needed.update(i for i in (examples[index].context.previous, examples[index].context.following)
                              if i is not None)
        order = sorted(needed)
        position = {index: row for row, index in enumerate(order)}
        local = [examples[i] for i in order]
        # Neighbour indices are rewritten into the local list; neighbours not embedded are dropped.
        remapped = [_remap(e, position) for e in local]
        scores = self._score(remapped, embed([e.text for e in remapped]))
        for index in chosen:
            probabilities[index] = scores[position[index]]
        return probabilities

    def detect(self, text: str) -> list[SentenceEvidence]:
        return self.detect_spans(text, split_sentences(text))

    def classify(self, sentences: list[str]) -> list[dict[EvidenceType, float]]:
        """Confidences for standalone sentences (no neighbour context)."""
        examples = [Example(s, apply_rules(s), Context(None, None, False)) for s in sentences]
        return self._score(examples, None)

    def _clear_supported_claims(self, findings: list[SentenceEvidence]) -> list[SentenceEvidence]:
        """A claim is supported when a neighbouring sentence gives a figure about the same thing."""
        cleared = list(findings)
        for index, finding in enumerate(findings):
            if finding.probabilities.get("unsupported_claim", 0.0) < self.threshold:
                continue
            if SPECIFIC.search(finding.text) and finding.probabilities.get("metric", 0.0) >= self.threshold:
                cleared[index] = without(finding, "unsupported_claim")
                continue
            words = _content_words(finding.text)
            for neighbour in findings[max(0, index - 1) : index + 2]:
                if neighbour is finding:
                    continue
                supports = max(neighbour.probabilities.get(t, 0.0) for t in ("metric", "testimonial"))
                if supports >= self.threshold and words & _content_words(neighbour.text):
                    cleared[index] = without(finding, "unsupported_claim")
                    break
        return cleared


def _remap(example: Example, position: dict[int, int]) -> Example:
    """The example with neighbour indices into a sub-list; neighbours outside it are dropped."""
    context = example.context
    return replace(example, context=Context(
        None if context.previous is None else position.get(context.previous),
        None if context.following is None else position.get(context.following),
        context.quoted,
    ))


def without(finding: SentenceEvidence, evidence_type: EvidenceType) -> SentenceEvidence:
    """The finding with ``evidence_type`` held below its reporting threshold."""
    probabilities = dict(finding.probabilities)
    probabilities[evidence_type] = min(probabilities.get(evidence_type, 0.0), finding.threshold / 2)
    return SentenceEvidence(finding.span, finding.text, probabilities, finding.threshold)
