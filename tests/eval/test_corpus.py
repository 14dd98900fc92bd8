"""The real-text corpus: provenance, split by source group, no overlap with the team's held-out set."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.evidence.calibration import STORED_FEATURES, THRESHOLDS_FILE, load_thresholds
from assistant.evidence.features import STORED_MODEL, stored_blocks
from assistant.evidence.rules import FEATURE_NAMES
from assistant.evidence.training import training_digest
from assistant.knowledge import RealText, load_bank, load_real_texts
from assistant.settings import REPO_ROOT
from assistant.taxonomy import EVIDENCE_TYPES
from eval.corpus import (
    ATTRIBUTION_FILE,
    DEV_FILE,
    OVERLAP_CHECK,
    SECOND_FILE,
    SHIPPABLE,
    TRAIN_FILE,
    UNSTATED_FILE,
    split_of,
)
from eval.runner import plan

EVIDENCE = REPO_ROOT / "knowledge" / "evidence"


def _records(path: Path) -> list[RealText]:
    return [RealText.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _unstated() -> list[dict[str, object]]:
    return [json.loads(line) for line in UNSTATED_FILE.read_text(encoding="utf-8").splitlines() if line]


def test_shipped_texts_carry_provenance_and_an_open_licence() -> None:
    for record in [*_records(TRAIN_FILE), *_records(DEV_FILE)]:
        assert record.licence in SHIPPABLE, record.id
        assert record.source.startswith("http") and record.publisher and record.retrieved
        record.spans()  # every sentence is an exact substring, in order


def test_texts_without_a_stated_licence_ship_no_text() -> None:
    for entry in _unstated():
        assert "text" not in entry and "sentences" in entry and len(str(entry["text_sha256"])) == 64
        assert entry["licence"] == "unstated"
    with np.load(EVIDENCE / STORED_FEATURES, allow_pickle=False) as data:
        assert all(data[key].dtype.kind != "U" or key in {"text_ids", "groups", "rule_names"} for key in data.files)
        assert "text" not in data.files and "texts" not in data.files


def test_split_is_by_source_group_and_dev_is_large_enough() -> None:
    train, dev = _records(TRAIN_FILE), _records(DEV_FILE)
    train_groups = {r.group for r in train} | {str(e["group"]) for e in _unstated() if e["split"] == "train"}
    dev_groups = {r.group for r in dev} | {str(e["group"]) for e in _unstated() if e["split"] == "dev"}
    assert not train_groups & dev_groups
    assert all(split_of(r.group) == "train" for r in train) and all(split_of(r.group) == "dev" for r in dev)
    assert sum(len(r.sentences) for r in dev) >= 400
    texts = len(train) + len(dev) + len(_unstated())
    assert texts >= 150 and len(train_groups | dev_groups) >= 50


def test_every_shipped_text_is_attributed() -> None:
    attribution = ATTRIBUTION_FILE.read_text(encoding="utf-8")
    for record in [*_records(TRAIN_FILE), *_records(DEV_FILE), *_records(SECOND_FILE)]:
        assert f"| {record.id} |" in attribution and record.source in attribution


@pytest.mark.skipif(not OVERLAP_CHECK.is_file(), reason="../shared is not beside this checkout")
def test_corpus_and_eval_sets_do_not_overlap_the_held_out_set() -> None:
    # The real corpus, every evaluation set, the screening examples and the chat's message set and
    # sources (team-written text can echo a held-out sentence too: an instruction example once did).
    files = [TRAIN_FILE, *sorted((REPO_ROOT / "eval" / "datasets").rglob("*.jsonl")),
             *sorted((REPO_ROOT / "knowledge" / "screening").glob("*.yaml")),
             *sorted((REPO_ROOT / "knowledge" / "chat").glob("*.*"))]
    result = subprocess.run([sys.executable, str(OVERLAP_CHECK), *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_stored_features_match_the_rules_and_the_index() -> None:
    blocks = stored_blocks(EVIDENCE / STORED_FEATURES, 1.0)
    assert blocks, "stored features were left out: rebuild them with python -m eval.corpus build"
    rows = sum(len(b) for b in blocks)
    indexed = sum(len(e["sentences"]) for e in _unstated() if e["split"] == "train")  # type: ignore[arg-type]
    assert rows == indexed
    assert len(blocks[0][0].rules.features) == len(FEATURE_NAMES)
    assert stored_blocks(EVIDENCE / STORED_FEATURES, 1.0, model_id="fake:384") == []


def test_thresholds_were_calibrated_on_the_current_training_data() -> None:
    thresholds = load_thresholds(EVIDENCE / THRESHOLDS_FILE)
    assert thresholds is not None
    digest = training_digest(load_bank(EVIDENCE), load_real_texts(EVIDENCE / "real"), EVIDENCE / STORED_FEATURES)
    assert thresholds.trained_on == digest, "training data changed: run 'shortlist eval calibrate'"
    assert set(thresholds.types) == set(EVIDENCE_TYPES)
    assert STORED_MODEL.startswith("sentence-transformers:")


def test_evidence_suite_measures_real_dev_first_then_team_gold() -> None:
    planned = plan("evidence", None)
    assert [p.suite for p in planned] == ["evidence_real", "evidence"]
    assert planned[0].path == DEV_FILE and planned[0].cases
