"""Dataset validation: errors name file, line and field; shipped datasets meet the issue's sizes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from assistant.errors import InvalidInput
from assistant.knowledge import Knowledge
from assistant.settings import REPO_ROOT
from eval.datasets import (
    ChatRecord,
    DraftRecord,
    EligibilityRecord,
    EvidenceRecord,
    RetrievalRecord,
    load_records,
    sniff_suites,
)
from eval.runner import plan

DATASETS = REPO_ROOT / "eval" / "datasets"
GOOD = {"id": "t1", "text": "Falls fell by 26%. Nurses designed it.",
        "sentences": [{"text": "Falls fell by 26%.", "labels": ["metric"]},
                      {"text": "Nurses designed it.", "labels": ["staff_involvement"]}]}


def _write(tmp_path: Path, *records: object) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def test_unknown_label_names_line_and_field(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(GOOD))
    bad["id"], bad["sentences"][1]["labels"] = "t2", ["staff"]
    with pytest.raises(InvalidInput, match=r"gold\.jsonl:2: sentences\.1\.labels\.0: Input should be"):
        load_records(_write(tmp_path, GOOD, bad), EvidenceRecord)


def test_sentence_not_in_text_names_line_and_field(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(GOOD))
    bad["sentences"][1]["text"] = "Doctors designed it."
    with pytest.raises(InvalidInput, match=r"gold\.jsonl:1: sentences\.1\.text: not an exact substring"):
        load_records(_write(tmp_path, bad), EvidenceRecord)


def test_unknown_record_fields_are_kept_as_metadata(tmp_path: Path) -> None:
    extra = {**GOOD, "source": "https://example.org/case-study", "programme": "hsj-awards-2024"}
    [(_, record)] = load_records(_write(tmp_path, extra), EvidenceRecord)
    assert record.metadata == {"source": "https://example.org/case-study", "programme": "hsj-awards-2024"}
    [(_, plain)] = load_records(_write(tmp_path, GOOD), EvidenceRecord)
    assert plain.metadata == {}


def test_nested_typo_missing_field_and_bad_json_are_named(tmp_path: Path) -> None:
    typo = json.loads(json.dumps(GOOD))
    typo["sentences"][0]["label"] = []
    with pytest.raises(InvalidInput, match=r":1: sentences\.0\.label: Extra inputs are not permitted"):
        load_records(_write(tmp_path, typo), EvidenceRecord)
    with pytest.raises(InvalidInput, match=r":1: text: Field required"):
        load_records(_write(tmp_path, {k: v for k, v in GOOD.items() if k != "text"}), EvidenceRecord)
    with pytest.raises(InvalidInput, match=r":3: \(line\): not valid JSON"):
        load_records(_write(tmp_path, GOOD, "# a comment", "{oops"), EvidenceRecord)
    with pytest.raises(InvalidInput, match=r":2: id: 't1' repeats the record on line 1"):
        load_records(_write(tmp_path, GOOD, GOOD), EvidenceRecord)


def test_suite_is_picked_from_the_record_shape(tmp_path: Path) -> None:
    assert sniff_suites(_write(tmp_path, GOOD)) == ["evidence"]
    retrieval = tmp_path / "r.jsonl"
    retrieval.write_text(json.dumps({"id": "q", "query": "consent for quotes", "kind": "guidance",
                                     "relevant": ["guide-testimonial-consent#p1"]}) + "\n")
    assert [p.suite for p in plan(None, retrieval)] == ["retrieval"]
    unknown = tmp_path / "u.jsonl"
    unknown.write_text('{"id": "x", "words": 3}\n')
    with pytest.raises(InvalidInput, match=r"u\.jsonl:1: \(record\): cannot tell which suite"):
        plan(None, unknown)


def test_cli_reports_a_malformed_dataset_in_one_line_and_exits_1(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(GOOD))
    bad["sentences"][0]["labels"] = ["metrics"]
    path = _write(tmp_path, bad)
    completed = subprocess.run(
        [sys.executable, "-c", "from assistant.cli import main; main()", "eval", "run", "--dataset", str(path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert completed.returncode == 1
    message = " ".join(completed.stderr.split())
    assert f"{path}:1: sentences.0.labels.0" in message
    assert "Traceback" not in completed.stderr


def test_shipped_datasets_validate_and_meet_the_minimum_sizes() -> None:
    evidence = [r for _, r in load_records(DATASETS / "evidence_gold.jsonl", EvidenceRecord)]
    assert len(evidence) >= 40 and sum(len(r.sentences) for r in evidence) >= 400
    drafts = [r for _, r in load_records(DATASETS / "drafts.jsonl", DraftRecord)]
    assert len(drafts) >= 20
    assert set(Counter(d.headings for d in drafts)) == {"exact", "variant", "none"}
    knowledge = Knowledge.load(REPO_ROOT / "knowledge")
    seeds = {"hsj-partnership-2019", "hsj-awards-2024", "kent-medway-qsi-2020"}
    for programme in knowledge.packs.programmes:
        if programme.id in seeds:
            missing = {c.id for c in programme.categories} - {d.category for d in drafts if d.programme == programme.id}
            assert not missing, f"no draft for {programme.id} categories {sorted(missing)}"
    assert len(load_records(DATASETS / "eligibility.jsonl", EligibilityRecord)) >= 30
    assert len(load_records(DATASETS / "chat.jsonl", ChatRecord)) >= 20
    retrieval = [r for _, r in load_records(DATASETS / "retrieval.jsonl", RetrievalRecord)]
    assert len(retrieval) >= 30
    passages = knowledge.passages()
    for record in retrieval:
        known = {p.id for p in passages[record.kind]}
        assert set(record.relevant) <= known, record.id
