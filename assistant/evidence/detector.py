"""Sentence-level evidence detection: precise rules plus an embedding classifier.

The classifier is a one-vs-rest logistic regression over [sentence embedding, rule features],
trained on the labelled evidence bank in knowledge/evidence. Rules can be switched off (the
classifier then sees the embedding alone) or the classifier can be (rule confidences are used
directly); the eval suite compares these configurations.

Screening (``screen_spans``) answers a narrower question for the eligibility engine: does any
sentence show these few evidence types? A cheap first stage (the same logistic regression over
word n-grams and rule features, without the embedding) keeps the sentences that could show them,
at a threshold set by cross-validation on the bank to keep nine in ten of its positives; only
those sentences are embedded and scored by the full classifier. Every other sentence keeps its
rule scores.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evidence.rules import FEATURE_NAMES, SPECIFIC, apply_rules
from assistant.knowledge import BankSentence
from assistant.sentences import Span, split_sentences
from assistant.taxonomy import EVIDENCE_TYPES, EvidenceType

log = logging.getLogger(__name__)

# Screening: the share of the bank's positives the cheap stage must keep, and the most a
# first-stage threshold may be (a sentence at 0.45 is always worth a look).
SCREEN_RECALL = 0.9
SCREEN_MAX_THRESHOLD = 0.45

_STOP = {
    "the",
    "and",
    "for",
    "with",
    "from",
    "that",
    "this",
    "our",
    "was",
    "were",
    "has",
    "have",
    "had",
    "been",
    "their",
    "they",
    "its",
    "into",
    "than",
    "also",
    "which",
    "who",
    "all",
    "are",
    "but",
    "not",
    "per",
    "over",
    "more",
    "less",
    "now",
    "new",
    "service",
    "team",
    "patients",
    "staff",
}


@dataclass(frozen=True)
class SentenceEvidence:
    """One sentence of a text with the probability of each evidence type."""

    span: Span
    text: str
    probabilities: dict[EvidenceType, float]
    threshold: float

    @property
    def types(self) -> list[EvidenceType]:
        return [t for t in EVIDENCE_TYPES if self.probabilities.get(t, 0.0) >= self.threshold]


def _rule_vector(rule_scores: dict[EvidenceType, float], features: dict[str, float]) -> list[float]:
    return [rule_scores.get(t, 0.0) for t in EVIDENCE_TYPES] + [features.get(n, 0.0) for n in FEATURE_NAMES]


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in _STOP}


class EvidenceDetector:
    """Trained once per process from the bank; detection never re-embeds the knowledge base."""

    def __init__(
        self,
        *,
        embed: Any,
        bank: list[BankSentence],
        bank_vectors: np.ndarray | None = None,
        use_rules: bool = True,
        use_classifier: bool = True,
        threshold: float = 0.5,
        regularisation: float = 16.0,
        cache_dir: Path | None = None,
        model_id: str = "",
    ) -> None:
        self._embed = embed
        self.use_rules = use_rules
        self.use_classifier = use_classifier
        self.threshold = threshold
        self._models: dict[EvidenceType, Any] = {}
        self._screen_models: dict[EvidenceType, tuple[Any, float]] = {}
        self._vectorizer: Any = None
        if use_classifier:
            cache = _cache_path(cache_dir, bank, use_rules, regularisation, model_id) if cache_dir else None
            if not (cache is not None and cache.is_file() and self._load(cache)):
                self._fit(bank, bank_vectors, regularisation)
                if cache is not None:
                    self._save(cache)

    def _load(self, path: Path) -> bool:
        try:
            with path.open("rb") as handle:
                state = pickle.load(handle)  # our own cache file in the data dir, keyed by content hash
            self._models, self._vectorizer = state["models"], state["vectorizer"]
            self._screen_models = state["screen"]
            return True
        except (OSError, pickle.UnpicklingError, KeyError, EOFError, AttributeError, ImportError, TypeError):
            log.warning("detector cache %s unreadable; retraining", path)
            path.unlink(missing_ok=True)
            return False

    def _save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            state = {"models": self._models, "vectorizer": self._vectorizer, "screen": self._screen_models}
            pickle.dump(state, handle)
        partial.replace(path)

    def _features(
        self, texts: list[str], vectors: np.ndarray | None, rules: list[Any] | None = None
    ) -> tuple[np.ndarray, list[dict[EvidenceType, float]]]:
        rules = rules if rules is not None else [apply_rules(t) for t in texts]
        rule_scores = [r.scores for r in rules]
        if not self.use_classifier:
            return np.zeros((len(texts), 0)), rule_scores
        if vectors is None:
            vectors = self._embed(texts)
        from scipy import sparse

        parts = [sparse.csr_matrix(np.asarray(vectors, dtype=np.float64))]
        if self._vectorizer is not None:
            parts.append(self._vectorizer.transform(texts))
        if self.use_rules:
            parts.append(sparse.csr_matrix(np.asarray([_rule_vector(r.scores, r.features) for r in rules])))
        return sparse.hstack(parts, format="csr"), rule_scores

    def _fit(self, bank: list[BankSentence], vectors: np.ndarray | None, regularisation: float) -> None:
        from sklearn.linear_model import LogisticRegression

        if not bank:
            log.warning("evidence bank is empty; the classifier is off")
            self.use_classifier = False
            return
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [s.text for s in bank]
        # Word n-grams catch the cue phrases ("compared with", "told us", "rolled out to") that a
        # sentence embedding blurs; the embedding carries meaning the bank's wording cannot.
        self._vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b|[£%\"“”]"
        ).fit(texts)
        rules = [apply_rules(t) for t in texts]
        matrix, _ = self._features(texts, vectors, rules)
        cheap = self._cheap_features(texts, rules)
        for evidence_type in EVIDENCE_TYPES:
            labels = np.asarray([evidence_type in s.labels for s in bank], dtype=int)
            if labels.sum() < 3 or labels.sum() == len(labels):
                continue
            model = LogisticRegression(C=regularisation, class_weight="balanced", solver="liblinear", max_iter=500)
            model.fit(matrix, labels)
            self._models[evidence_type] = model
            self._screen_models[evidence_type] = _fit_screen(cheap, labels)

    def _cheap_features(self, texts: list[str], rules: list[Any]) -> Any:
        from scipy import sparse

        rows = sparse.csr_matrix(np.asarray([_rule_vector(r.scores, r.features) for r in rules], dtype=np.float64))
        return sparse.hstack([self._vectorizer.transform(texts), rows], format="csr")

    def _probabilities(
        self, texts: list[str], vectors: np.ndarray | None = None, rules: list[Any] | None = None
    ) -> list[dict[EvidenceType, float]]:
        if not texts:
            return []
        matrix, rule_scores = self._features(texts, vectors, rules)
        results: list[dict[EvidenceType, float]] = [{} for _ in texts]
        for evidence_type in EVIDENCE_TYPES:
            if self.use_classifier and evidence_type in self._models:
                column = self._models[evidence_type].predict_proba(matrix)[:, 1]
                for row, probability in zip(results, column, strict=True):
                    row[evidence_type] = float(probability)
            elif self.use_rules:
                for row, scores in zip(results, rule_scores, strict=True):
                    row[evidence_type] = scores.get(evidence_type, 0.0)
        return results

    def detect_spans(self, text: str, spans: list[Span], vectors: np.ndarray | None = None) -> list[SentenceEvidence]:
        """Evidence per sentence span; pass ``vectors`` when the sentences are already embedded."""
        sentences = [span.text(text) for span in spans]
        probabilities = self._probabilities(sentences, vectors)
        findings = [
            SentenceEvidence(span=span, text=sentence, probabilities=probs, threshold=self.threshold)
            for span, sentence, probs in zip(spans, sentences, probabilities, strict=True)
        ]
        return self._clear_supported_claims(findings)

    def screen_spans(
        self,
        text: str,
        spans: list[Span],
        focus: Collection[EvidenceType],
        embed: Callable[[list[str]], np.ndarray] | None = None,
    ) -> list[SentenceEvidence]:
        """Evidence per sentence where only the ``focus`` types need the classifier's judgement.

        Sentences the cheap stage flags, or a rule fires on, for a focus type are embedded (through
        ``embed``, so a caller's cache is reused) and scored in full; the rest keep rule scores,
        with focus types held below the reporting threshold.
        """
        sentences = [span.text(text) for span in spans]
        rules = [apply_rules(t) for t in sentences]
        probabilities: list[dict[EvidenceType, float]] = [dict(r.scores) for r in rules]
        wanted = [t for t in focus if t in self._screen_models] if self.use_classifier else []
        if sentences and wanted:
            cheap = self._cheap_features(sentences, rules)
            keep = np.zeros(len(sentences), dtype=bool)
            first: dict[EvidenceType, np.ndarray] = {}
            for evidence_type in wanted:
                model, cutoff = self._screen_models[evidence_type]
                first[evidence_type] = model.predict_proba(cheap)[:, 1]
                rule_hit = np.asarray([r.scores.get(evidence_type, 0.0) > 0 for r in rules])
                keep |= (first[evidence_type] >= cutoff) | rule_hit
            for index in np.flatnonzero(~keep):
                for evidence_type in wanted:
                    probabilities[int(index)][evidence_type] = float(first[evidence_type][index])
            chosen = [int(i) for i in np.flatnonzero(keep)]
            if chosen:
                picked = [sentences[i] for i in chosen]
                vectors = (embed or self._embed)(picked)
                scores = self._probabilities(picked, vectors, [rules[i] for i in chosen])
                for position, scored in zip(chosen, scores, strict=True):
                    probabilities[position] = scored
        findings = [
            SentenceEvidence(span=span, text=sentence, probabilities=probs, threshold=self.threshold)
            for span, sentence, probs in zip(spans, sentences, probabilities, strict=True)
        ]
        return self._clear_supported_claims(findings)

    def detect(self, text: str) -> list[SentenceEvidence]:
        return self.detect_spans(text, split_sentences(text))

    def classify(self, sentences: list[str]) -> list[dict[EvidenceType, float]]:
        """Probabilities for standalone sentences (no neighbour context)."""
        return self._probabilities(sentences)

    def _clear_supported_claims(self, findings: list[SentenceEvidence]) -> list[SentenceEvidence]:
        """A claim is supported when a neighbouring sentence gives a figure about the same thing."""
        cleared = list(findings)
        for index, finding in enumerate(findings):
            if finding.probabilities.get("unsupported_claim", 0.0) < self.threshold:
                continue
            if SPECIFIC.search(finding.text) and finding.probabilities.get("metric", 0.0) >= self.threshold:
                cleared[index] = _without(finding, "unsupported_claim")
                continue
            words = _content_words(finding.text)
            for neighbour in findings[max(0, index - 1) : index + 2]:
                if neighbour is finding or neighbour.probabilities.get("metric", 0.0) < self.threshold:
                    continue
                if words & _content_words(neighbour.text):
                    cleared[index] = _without(finding, "unsupported_claim")
                    break
        return cleared


def _fit_screen(matrix: Any, labels: np.ndarray) -> tuple[Any, float]:
    """The cheap stage for one type and its threshold: what keeps SCREEN_RECALL of held-out positives."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    def model() -> Any:
        return LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", max_iter=500)

    folds = StratifiedKFold(n_splits=min(5, int(labels.sum())), shuffle=True, random_state=0)
    held_out = cross_val_predict(model(), matrix, labels, cv=folds, method="predict_proba")[:, 1]
    cutoff = float(np.quantile(held_out[labels == 1], 1 - SCREEN_RECALL))
    return model().fit(matrix, labels), min(cutoff, SCREEN_MAX_THRESHOLD)


def _cache_path(
    cache_dir: Path, bank: list[BankSentence], use_rules: bool, regularisation: float, model_id: str
) -> Path:
    """Trained weights depend on the bank, the rules' and detector's code, the options and the model."""
    import sklearn

    digest = hashlib.sha256()
    digest.update(json.dumps([s.model_dump() for s in bank], sort_keys=True).encode())
    for module in ("rules.py", "detector.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    digest.update(f"{use_rules}|{regularisation}|{model_id}|{sklearn.__version__}".encode())
    return cache_dir / f"detector-{digest.hexdigest()[:20]}.pkl"


def _without(finding: SentenceEvidence, evidence_type: EvidenceType) -> SentenceEvidence:
    probabilities = dict(finding.probabilities)
    probabilities[evidence_type] = min(probabilities.get(evidence_type, 0.0), finding.threshold / 2)
    return SentenceEvidence(finding.span, finding.text, probabilities, finding.threshold)
