"""Per-type thresholds: one shared threshold unless a type clearly does better; a monotone mapping."""

from __future__ import annotations

import numpy as np

from assistant.evidence.calibration import PER_TYPE_MARGIN, choose
from assistant.evidence.context import Context
from assistant.evidence.detector import CALIBRATED_AT, calibrate
from assistant.evidence.features import Example
from assistant.evidence.rules import apply_rules
from assistant.taxonomy import EVIDENCE_TYPES


def _examples(n: int) -> list[Example]:
    text = "Falls fell from 40 to 12 after ward nurses redesigned the checks."
    return [Example(text, apply_rules(text), Context(None, None, False)) for _ in range(n)]


def test_types_share_a_threshold_unless_their_own_is_clearly_better() -> None:
    rng = np.random.default_rng(0)
    n = 400
    labels = rng.random((n, len(EVIDENCE_TYPES))) < 0.3
    # Positives score around 0.6, negatives around 0.3: a shared threshold near 0.45 suits them all...
    probabilities = np.where(labels, 0.6, 0.3) + rng.normal(0, 0.05, labels.shape)
    # ...except value, whose positives only reach about 0.85 against negatives at 0.65.
    column = EVIDENCE_TYPES.index("value")
    probabilities[:, column] = np.where(labels[:, column], 0.85, 0.65) + rng.normal(0, 0.03, n)
    shared, chosen = choose(probabilities, labels, _examples(n))
    assert 0.35 <= shared <= 0.55
    assert chosen["value"].threshold > 0.7 and (chosen["value"].f1 or 0) > 0.9
    assert chosen["metric"].threshold == shared
    assert PER_TYPE_MARGIN > 0


def test_calibrated_threshold_maps_onto_the_reporting_point_monotonically() -> None:
    assert calibrate(0.42, 0.42) == CALIBRATED_AT
    values = [calibrate(p / 100, 0.42) for p in range(101)]
    assert values == sorted(values) and values[0] == 0.0 and values[-1] == 1.0
    assert calibrate(0.3, None) == 0.3
