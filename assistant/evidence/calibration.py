"""Per-type thresholds, chosen on real text the classifier did not train on, stored as data.

``shortlist eval calibrate`` splits the real training texts into folds by source group, trains on
the bank plus the other folds, and scores every held-out sentence in context (hard cases and the
quotation rule applied, as in detection). Each type's threshold is the one that maximises F1 over
those out-of-fold scores; the file keeps the figures that chose it and the digest of the training
data, so a stale file is noticed. The real dev split is never used here: it stays a measure of
transfer to writers the detector has not seen.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ConfigError
from assistant.evidence.detector import testimony
from assistant.evidence.features import STORED_MODEL, Block, Example, bank_blocks, concat, stored_blocks
from assistant.evidence.hardcases import ruled_out
from assistant.evidence.training import REAL_WEIGHT, fit, real_training_blocks, training_digest, with_vectors
from assistant.knowledge import BankSentence, RealText
from assistant.taxonomy import EVIDENCE_TYPES, EvidenceType

THRESHOLDS_FILE = "thresholds.json"  # in knowledge/evidence/
STORED_FEATURES = "real/unstated-features.npz"  # in knowledge/evidence/: see docs/corpus.md
PER_TYPE_MARGIN = 0.1
GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.96, 0.025))


class TypeThreshold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(gt=0, lt=1)
    f1: float | None
    precision: float | None
    recall: float | None
    support: int = Field(ge=0)


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    trained_on: str = Field(description="training_digest of the bank and real training texts")
    method: str
    shared: float = Field(gt=0, lt=1, description="the threshold that maximises mean F1 over the types")
    folds: int
    sentences: int
    types: dict[EvidenceType, TypeThreshold]

    def values(self) -> dict[str, float]:
        return {t: v.threshold for t, v in self.types.items()}


def load_thresholds(path: Path) -> Thresholds | None:
    if not path.is_file():
        return None
    try:
        return Thresholds.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: {where}: {first['msg']}; rerun 'shortlist eval calibrate'.") from exc


def _folds(blocks: Sequence[Block], count: int) -> list[list[int]]:
    """Block indices per fold; every block of a source group falls in the same fold."""
    groups = sorted({block[0].group for block in blocks if block})
    return [[i for i, block in enumerate(blocks) if block and groups.index(block[0].group) % count == k]
            for k in range(count)]


def out_of_fold(
    bank: Sequence[BankSentence],
    real: Sequence[RealText],
    *,
    embed: Callable[[list[str]], np.ndarray],
    stored: Sequence[Block] = (),
    folds: int = 5,
    real_weight: float = REAL_WEIGHT,
    regularisation: float = 16.0,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[Example]]:
    """Raw probabilities (sentences × types) of every real training sentence from a model that never saw
    its source group, the gold labels, and the sentences' examples."""
    bank_part = bank_blocks(bank, embed([s.text for s in bank]))
    blocks = real_training_blocks(real, stored, real_weight=real_weight)
    probabilities: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    held: list[Example] = []
    for fold in _folds(blocks, folds):
        if not fold:
            continue
        chosen = set(fold)
        examples = concat([*bank_part, *(b for i, b in enumerate(blocks) if i not in chosen)])
        trained = fit(examples, with_vectors(examples, embed), use_rules=True, use_context=True,
                      regularisation=regularisation, screens=False)
        test = concat([blocks[i] for i in fold])
        scores = trained.predict(test, with_vectors(test, embed))
        probabilities.append(np.column_stack([scores.get(t, np.zeros(len(test))) for t in EVIDENCE_TYPES]))
        labels.append(np.asarray([[t in e.labels for t in EVIDENCE_TYPES] for e in test], dtype=bool))
        held.extend(test)
        if progress is not None:
            progress(1)
    return np.vstack(probabilities), np.vstack(labels), held


def _counts(predicted: np.ndarray, gold: np.ndarray, threshold: float) -> TypeThreshold:
    tp = int((predicted & gold).sum())
    fp = int((predicted & ~gold).sum())
    fn = int((~predicted & gold).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return TypeThreshold(
        threshold=threshold, f1=None if f1 is None else round(f1, 4),
        precision=round(tp / (tp + fp), 4) if tp + fp else None,
        recall=round(tp / (tp + fn), 4) if tp + fn else None, support=int(gold.sum()),
    )


def choose(
    probabilities: np.ndarray, labels: np.ndarray, examples: Sequence[Example]
) -> tuple[float, dict[EvidenceType, TypeThreshold]]:
    """One shared threshold (best mean F1 over the types), and per type the shared one unless the type's
    own best beats it by PER_TYPE_MARGIN, about one standard error of F1 at a few dozen positives: below
    that, a per-type optimum is mostly noise. Hard cases and the quotation rule are applied, as in detection."""
    vetoed = [ruled_out(e.text) for e in examples]
    curves: dict[EvidenceType, list[TypeThreshold]] = {}
    for column, evidence_type in enumerate(EVIDENCE_TYPES):
        gold = labels[:, column]
        forced = np.asarray([
            evidence_type == "testimonial" and testimony(e) is not None for e in examples
        ], dtype=bool)
        blocked = np.asarray([evidence_type in v and not forced[i] for i, v in enumerate(vetoed)], dtype=bool)
        curves[evidence_type] = [
            _counts(((probabilities[:, column] >= threshold) | forced) & ~blocked, gold, threshold)
            for threshold in GRID
        ]
    mean_f1 = [float(np.mean([curves[t][i].f1 or 0.0 for t in EVIDENCE_TYPES])) for i in range(len(GRID))]
    shared = int(np.argmax(mean_f1))
    chosen: dict[EvidenceType, TypeThreshold] = {}
    for evidence_type, curve in curves.items():
        best = max(curve, key=lambda c: c.f1 or 0.0)
        own = (best.f1 or 0.0) - (curve[shared].f1 or 0.0) >= PER_TYPE_MARGIN
        chosen[evidence_type] = best if own else curve[shared]
    return GRID[shared], chosen


def calibrate(
    bank: Sequence[BankSentence],
    real: Sequence[RealText],
    *,
    embed: Callable[[list[str]], np.ndarray],
    stored: Path | None = None,
    model_id: str = STORED_MODEL,
    folds: int = 5,
    progress: Callable[[int], None] | None = None,
) -> Thresholds:
    rows = stored_blocks(stored, 1.0, model_id=model_id) if stored is not None else []
    if len({t.group for t in real} | {b[0].group for b in rows if b}) < folds:
        raise ConfigError(f"Calibration needs real training texts from at least {folds} source groups.")
    probabilities, labels, examples = out_of_fold(bank, real, embed=embed, stored=rows, folds=folds,
                                                  progress=progress)
    # Stored rows train the folds' models, but thresholds are chosen where the detector will work:
    # on sentences it can read (their words, hard cases and quotation rule included).
    readable = np.asarray([bool(e.text) for e in examples])
    probabilities, labels = probabilities[readable], labels[readable]
    examples = [e for e, keep in zip(examples, readable, strict=True) if keep]
    shared, types = choose(probabilities, labels, examples)
    return Thresholds(
        trained_on=training_digest(bank, real, stored),
        method=f"grouped {folds}-fold out-of-fold scores on the real training split (folds by source group), "
        "hard cases applied; the shared threshold maximises mean sentence F1 over the types, and a type keeps "
        f"its own best threshold only when that beats the shared one by {PER_TYPE_MARGIN} F1 or more",
        shared=shared,
        folds=folds,
        sentences=len(examples),
        types=types,
    )


def write_thresholds(path: Path, thresholds: Thresholds) -> None:
    path.write_text(json.dumps(thresholds.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
