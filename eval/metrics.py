"""Metric functions: pure, small, and checked against hand-computed cases in tests/eval.

Everything here works on plain Python values (sets, lists of ids, (start, end) pairs) so that a
metric can be read and trusted without knowing anything about the assistant.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Counts:
    """True positives, false positives, false negatives (and true negatives when known)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """F1 = 2TP / (2TP + FP + FN); undefined (None) when there is nothing to find and nothing found."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "precision": _round(self.precision), "recall": _round(self.recall), "f1": _round(self.f1),
            "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn, "support": self.support,
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def set_counts(gold: set[Hashable], predicted: set[Hashable], label: Hashable) -> Counts:
    """Counts for one label on one item (a sentence or a text) with gold and predicted label sets."""
    in_gold, in_pred = label in gold, label in predicted
    return Counts(tp=int(in_gold and in_pred), fp=int(in_pred and not in_gold),
                  fn=int(in_gold and not in_pred), tn=int(not in_gold and not in_pred))


def multilabel_counts(
    pairs: Iterable[tuple[set[str], set[str]]], labels: Sequence[str]
) -> dict[str, Counts]:
    """Per-label counts over items, each item a (gold labels, predicted labels) pair."""
    totals = {label: Counts() for label in labels}
    for gold, predicted in pairs:
        for label in labels:
            totals[label] = totals[label] + set_counts(gold, predicted, label)  # type: ignore[arg-type]
    return totals


def macro_f1(per_label: dict[str, Counts]) -> float | None:
    """Unweighted mean of F1 over labels whose F1 is defined (a label nobody used is left out)."""
    scores = [c.f1 for c in per_label.values() if c.f1 is not None]
    return sum(scores) / len(scores) if scores else None


def micro(per_label: dict[str, Counts]) -> Counts:
    total = Counts()
    for counts in per_label.values():
        total = total + counts
    return total


# -- spans ---------------------------------------------------------------------------------------
def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def spans_match(gold: tuple[int, int], predicted: tuple[int, int], *, threshold: float = 0.5) -> bool:
    """The Feedback Prize rule: the overlap covers ≥ threshold of the gold span AND of the predicted one."""
    shared = overlap(gold, predicted)
    gold_len, pred_len = gold[1] - gold[0], predicted[1] - predicted[0]
    if shared == 0 or gold_len <= 0 or pred_len <= 0:
        return False
    return shared / gold_len >= threshold and shared / pred_len >= threshold


def span_counts(
    gold: Sequence[tuple[int, int]], predicted: Sequence[tuple[int, int]], *, threshold: float = 0.5
) -> Counts:
    """Match spans of one type one-to-one; each pair must pass the Feedback Prize rule.

    Candidate pairs are taken greedily by overlap, largest first, so a predicted span can match at
    most one gold span and the reverse. Unmatched predictions are false positives, unmatched gold
    spans false negatives.
    """
    candidates = sorted(
        ((overlap(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(predicted)
         if spans_match(g, p, threshold=threshold)),
        reverse=True,
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
    tp = len(used_gold)
    return Counts(tp=tp, fp=len(predicted) - tp, fn=len(gold) - tp)


# -- agreement -----------------------------------------------------------------------------------
def cohen_kappa(first: Sequence[bool], second: Sequence[bool]) -> float | None:
    """Cohen's kappa for one binary label; None when chance agreement is 1 (kappa undefined)."""
    if len(first) != len(second):
        raise ValueError("kappa needs two label lists of the same length")
    n = len(first)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    p1, p2 = sum(first) / n, sum(second) / n
    expected = p1 * p2 + (1 - p1) * (1 - p2)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)


# -- ranking -------------------------------------------------------------------------------------
def label_agreement(
    pairs: Sequence[tuple[set[str], set[str]]], labels: Sequence[str]
) -> tuple[dict[str, tuple[float | None, list[int]]], float | None, float | None]:
    """Two labellers' label sets per item: (kappa, [positives first, second]) per label, the mean of the
    defined kappas, and the share of items with identical sets."""
    per_label: dict[str, tuple[float | None, list[int]]] = {}
    for label in labels:
        kappa = cohen_kappa([label in a for a, _ in pairs], [label in b for _, b in pairs])
        per_label[label] = (kappa, [sum(label in a for a, _ in pairs), sum(label in b for _, b in pairs)])
    defined = [k for k, _ in per_label.values() if k is not None]
    mean_kappa = sum(defined) / len(defined) if defined else None
    exact = sum(a == b for a, b in pairs) / len(pairs) if pairs else None
    return per_label, mean_kappa, exact


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant ids found in the first k results."""
    if not relevant:
        raise ValueError("recall@k needs at least one relevant id")
    return len(set(ranked[:k]) & relevant) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    for index, item in enumerate(ranked, start=1):
        if item in relevant:
            return 1.0 / index
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Binary-gain nDCG: DCG = Σ rel_i / log2(i + 1) over the first k, divided by the ideal DCG."""
    dcg = sum(1.0 / math.log2(i + 1) for i, item in enumerate(ranked[:k], start=1) if item in relevant)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


# -- distributions -------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default method), q in [0, 100]."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def confusion(pairs: Iterable[tuple[str, str]], labels: Sequence[str]) -> list[list[int]]:
    """Rows are expected labels, columns predicted, in the order of ``labels``."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for expected, predicted in pairs:
        matrix[index[expected]][index[predicted]] += 1
    return matrix
