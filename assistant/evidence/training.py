"""Training the evidence classifier, and its cache in the data directory.

Training takes a few seconds on two cores (embedding the real training split is most of it), so
the fitted models are pickled under ``<data_dir>/cache``, keyed by everything they depend on: the
bank, the real training texts, the options, the embedding model, the feature code and sklearn.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evidence.features import (
    Block,
    Example,
    bank_blocks,
    concat,
    feature_matrix,
    real_blocks,
    rule_vector,
    stored_blocks,
)
from assistant.knowledge import BankSentence, RealText
from assistant.taxonomy import EVIDENCE_TYPES, EvidenceType

log = logging.getLogger(__name__)

# Screening: the share of the training positives the cheap stage must keep, and the most a
# first-stage threshold may be (a sentence at 0.45 is always worth a look).
SCREEN_RECALL = 0.9
SCREEN_MAX_THRESHOLD = 0.45
# Each real training sentence counts as much as a bank sentence: more weight moved neither real-text
# dev F1 nor held the team-written gold (docs/detection.md).
REAL_WEIGHT = 1.0
EMBED_CHUNK = 64
_CODE = ("rules.py", "context.py", "features.py", "training.py")


@dataclass
class TrainedModels:
    """Per-type classifiers over the full features, and the cheap screening stage."""

    use_rules: bool
    use_context: bool
    vectorizer: Any = None
    models: dict[EvidenceType, Any] = field(default_factory=dict)
    screens: dict[EvidenceType, tuple[Any, float]] = field(default_factory=dict)

    def matrix(self, examples: Sequence[Example], vectors: np.ndarray) -> Any:
        return feature_matrix(
            examples, vectors, vectorizer=self.vectorizer, use_rules=self.use_rules, use_context=self.use_context
        )

    def predict(self, examples: Sequence[Example], vectors: np.ndarray) -> dict[EvidenceType, np.ndarray]:
        matrix = self.matrix(examples, vectors)
        return {t: model.predict_proba(matrix)[:, 1] for t, model in self.models.items()}

    def cheap(self, examples: Sequence[Example]) -> Any:
        from scipy import sparse

        rules = sparse.csr_matrix(np.asarray([rule_vector(e.rules) for e in examples], dtype=np.float64))
        return sparse.hstack([self.vectorizer.transform([e.text for e in examples]), rules], format="csr")

    def screen(
        self, examples: Sequence[Example], wanted: Sequence[EvidenceType]
    ) -> dict[EvidenceType, tuple[np.ndarray, float]]:
        cheap = self.cheap(examples)
        return {t: (self.screens[t][0].predict_proba(cheap)[:, 1], self.screens[t][1]) for t in wanted}


def real_training_blocks(real: Sequence[RealText], stored: Sequence[Block], *, real_weight: float) -> list[Block]:
    """The real training texts (shipped as text) and the stored ones (features only), one block per text."""
    weighted = [[replace(e, weight=real_weight) for e in block] for block in stored]
    return [*real_blocks(real, real_weight), *weighted]


def with_vectors(
    examples: Sequence[Example],
    embed: Callable[[list[str]], np.ndarray],
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """The embedding of every example: the known ones as given, the rest embedded now (in chunks, so a
    progress bar moves)."""
    missing = [i for i, e in enumerate(examples) if e.vector is None]
    fresh = None
    if missing:
        parts = []
        for start in range(0, len(missing), EMBED_CHUNK):
            chunk = missing[start : start + EMBED_CHUNK]
            parts.append(embed([examples[i].text for i in chunk]))
            if progress is not None:
                progress(len(chunk))
        fresh = np.vstack(parts)
    known = next((e.vector for e in examples if e.vector is not None), None)
    width = fresh.shape[1] if fresh is not None else (len(known) if known is not None else 0)
    vectors = np.zeros((len(examples), width), dtype=np.float32)
    for i, example in enumerate(examples):
        if example.vector is not None:
            vectors[i] = example.vector
    if fresh is not None:
        vectors[missing] = fresh
    return vectors


def fit(
    examples: Sequence[Example],
    vectors: np.ndarray,
    *,
    use_rules: bool,
    use_context: bool,
    regularisation: float,
    screens: bool = True,
    progress: Callable[[int], None] | None = None,
) -> TrainedModels:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    trained = TrainedModels(use_rules=use_rules, use_context=use_context)
    if not examples:
        return trained
    # Word n-grams catch the cue phrases ("compared with", "told us", "rolled out to") that a
    # sentence embedding blurs; the embedding carries meaning the wording cannot.
    trained.vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b|[£%\"“”]"
    ).fit([e.text for e in examples])
    matrix = trained.matrix(examples, vectors)
    weights = np.asarray([e.weight for e in examples], dtype=np.float64)
    cheap = trained.cheap(examples) if screens else None
    for evidence_type in EVIDENCE_TYPES:
        labels = np.asarray([evidence_type in e.labels for e in examples], dtype=int)
        if 3 <= labels.sum() < len(labels):
            model = LogisticRegression(C=regularisation, class_weight="balanced", solver="liblinear", max_iter=500)
            trained.models[evidence_type] = model.fit(matrix, labels, sample_weight=weights)
            if cheap is not None:
                trained.screens[evidence_type] = _fit_screen(cheap, labels)
        if progress is not None:
            progress(1)
    return trained


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


def training_digest(bank: Sequence[BankSentence], real: Sequence[RealText], stored: Path | None = None) -> str:
    """What the trained weights (and the calibrated thresholds) were learnt from."""
    digest = hashlib.sha256()
    digest.update(json.dumps([s.model_dump() for s in bank], sort_keys=True).encode())
    digest.update(json.dumps([[r.id, r.text, [s.model_dump() for s in r.sentences]] for r in real]).encode())
    if stored is not None and stored.is_file():
        digest.update(stored.read_bytes())
    return digest.hexdigest()[:20]


def _cache_path(cache_dir: Path, data_digest: str, options: str) -> Path:
    import sklearn

    digest = hashlib.sha256(data_digest.encode())
    for module in _CODE:
        digest.update((Path(__file__).parent / module).read_bytes())
    digest.update(f"{options}|{sklearn.__version__}".encode())
    return cache_dir / f"detector-{digest.hexdigest()[:20]}.pkl"


def _load(path: Path) -> TrainedModels | None:
    try:
        with path.open("rb") as handle:
            state = pickle.load(handle)  # our own cache file in the data dir, keyed by content hash
        return state if isinstance(state, TrainedModels) else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        log.warning("detector cache %s unreadable; retraining", path)
        path.unlink(missing_ok=True)
        return None


def _save(path: Path, trained: TrainedModels) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    with partial.open("wb") as handle:
        pickle.dump(trained, handle)
    partial.replace(path)


def training_steps(bank: Sequence[BankSentence], real: Sequence[RealText], *, bank_embedded: bool) -> int:
    """Progress units of a training run: sentences to embed, then one per evidence type."""
    return (0 if bank_embedded else len(bank)) + sum(len(r.sentences) for r in real) + len(EVIDENCE_TYPES)


def load_or_train(
    *,
    embed: Callable[[list[str]], np.ndarray],
    bank: Sequence[BankSentence],
    real: Sequence[RealText],
    stored: Path | None,
    bank_vectors: np.ndarray | None,
    use_rules: bool,
    use_context: bool,
    real_weight: float,
    regularisation: float,
    cache_dir: Path | None,
    model_id: str,
    progress: Callable[[int], None] | None = None,
) -> TrainedModels:
    options = f"{use_rules}|{use_context}|{real_weight}|{regularisation}|{model_id}"
    cache = _cache_path(cache_dir, training_digest(bank, real, stored), options) if cache_dir else None
    if cache is not None and cache.is_file():
        loaded = _load(cache)
        if loaded is not None:
            return loaded
    known = bank_vectors if bank_vectors is not None and len(bank_vectors) == len(bank) else None
    stored_rows = stored_blocks(stored, real_weight, model_id=model_id) if stored is not None else []
    examples = concat([*bank_blocks(bank, known), *real_training_blocks(real, stored_rows, real_weight=real_weight)])
    vectors = with_vectors(examples, embed, progress)
    trained = fit(
        examples, vectors, use_rules=use_rules, use_context=use_context, regularisation=regularisation,
        progress=progress,
    )
    if cache is not None and trained.models:
        _save(cache, trained)
    return trained
