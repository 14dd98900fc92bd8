from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.knowledge import Knowledge, load_bank, load_real_texts
from assistant.settings import REPO_ROOT
from assistant.taxonomy import EVIDENCE_TYPES

KNOWLEDGE = REPO_ROOT / "knowledge"


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge.load(KNOWLEDGE)


def test_exemplars_cover_every_category_and_criterion(knowledge: Knowledge) -> None:
    assert len(knowledge.exemplars) >= 24
    covered = {(e.programme, e.category, p.criterion) for e in knowledge.exemplars for p in e.paragraphs}
    for programme in knowledge.packs.programmes:
        for category in programme.categories:
            for criterion in category.criteria:
                assert (programme.id, category.id, criterion.id) in covered
    assert all(e.illustrative for e in knowledge.exemplars)


def test_evidence_bank_is_large_and_covers_every_type(knowledge: Knowledge) -> None:
    assert len(knowledge.bank) >= 600
    for evidence_type in EVIDENCE_TYPES:
        assert sum(evidence_type in s.labels for s in knowledge.bank) >= 40, evidence_type
    negatives = [s for s in knowledge.bank if not s.labels]
    assert len(negatives) >= 100


def test_guidance_files_become_passages(knowledge: Knowledge) -> None:
    passages = knowledge.passages()
    assert len(passages["guidance"]) >= 30
    assert all(len(p.text.split()) >= 20 for p in passages["guidance"])
    assert len({p.id for p in passages["exemplar"]}) == len(passages["exemplar"])


def test_bank_error_names_file_line_and_field(tmp_path: Path) -> None:
    good = {"id": "a", "text": "Falls fell by a third.", "labels": ["metric"], "negative_for": []}
    bad = {"id": "b", "text": "Shared at a conference.", "labels": ["sprad"], "negative_for": []}
    (tmp_path / "x.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(ConfigError, match=r"x\.jsonl:2: labels\.0"):
        load_bank(tmp_path)


def test_real_text_with_a_sentence_out_of_place_names_file_and_line(tmp_path: Path) -> None:
    record = {
        "id": "r1", "text": "Falls fell by 26%. Staff chose the mats.", "source": "https://example.org/x",
        "publisher": "NHS England", "licence": "OGL-3.0", "retrieved": "2026-12-06", "kind": "case-study",
        "group": "example-trust", "sentences": [{"text": "Staff chose the mats.", "labels": []},
                                                  {"text": "Falls fell by 26%.", "labels": ["metric"]}],
    }
    (tmp_path / "train.jsonl").write_text(json.dumps(record) + "\n")
    with pytest.raises(ConfigError, match=r"train\.jsonl:1: sentences\.1\.text: not found"):
        load_real_texts(tmp_path)
    record["licence"] = "all rights reserved"
    (tmp_path / "train.jsonl").write_text(json.dumps(record) + "\n")
    with pytest.raises(ConfigError, match=r"train\.jsonl:1"):
        load_real_texts(tmp_path)
