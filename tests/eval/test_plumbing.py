"""Runner plumbing with the fake embeddings: skips, shared reviews, rows that trace back to lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.settings import REPO_ROOT
from eval.runner import Planned, plan, run
from eval.suites import eligibility


def test_missing_dataset_and_missing_engine_are_skipped_not_crashes(
    fake_assistant: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(eligibility, "_load_engine", lambda: "assistant.eligibility is not available (test)")
    planned = [Planned("chat", tmp_path / "absent.jsonl", None), *plan("eligibility", None, limit=2)]
    outcome = run(fake_assistant, planned, out_dir=tmp_path)
    chat, elig = outcome.results
    assert (chat.status, elig.status) == ("skipped", "skipped")
    assert chat.reason.startswith("skipped: dataset") and "absent.jsonl" in chat.reason
    assert elig.reason == "skipped: assistant.eligibility is not available (test)"
    suites = json.loads((tmp_path / "metrics.json").read_text())["suites"]
    assert suites["chat"]["status"] == "skipped"
    assert "skipped: assistant.eligibility" in (tmp_path / "report.html").read_text()


def test_sections_reuse_the_review_when_both_run_and_stand_alone_otherwise(
    fake_assistant: Assistant, tmp_path: Path
) -> None:
    drafts = REPO_ROOT / "eval" / "datasets" / "drafts.jsonl"
    both = run(fake_assistant, plan("all", drafts, limit=2), out_dir=tmp_path / "both")
    sections, review = both.results
    assert (sections.name, review.name) == ("sections", "review")
    assert "review suite" in sections.note
    assert [r.latency_ms for r in sections.results] == [r.latency_ms for r in review.results]
    alone = run(fake_assistant, plan("sections", None, limit=2), out_dir=tmp_path / "alone")
    assert alone.results[0].note == "" and alone.results[0].status == "ok"
    for result in (sections, alone.results[0]):
        assert 0 <= result.metrics["accuracy"] <= 1


def test_rows_name_their_suite_case_and_dataset_line(fake_assistant: Assistant, tmp_path: Path) -> None:
    run(fake_assistant, plan("retrieval", None, limit=3), out_dir=tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert [(r["suite"], r["line"]) for r in rows] == [("retrieval", 1), ("retrieval", 2), ("retrieval", 3)]
    assert set(rows[0]["scores"]) == {"recall@5", "mrr", "bm25.recall@5", "bm25.mrr"}
    assert rows[0]["output"]["system"] and rows[0]["reasons"]["recall@5"]


def test_by_field_slices_headline_metrics_per_value(fake_assistant: Assistant, tmp_path: Path) -> None:
    from eval.runner import DATASETS_DIR

    lines = (DATASETS_DIR / "real" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:4]
    dataset = tmp_path / "real.jsonl"
    dataset.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = run(fake_assistant, plan("evidence", dataset), out_dir=tmp_path / "run", by="kind")
    metrics = outcome.results[0].metrics
    kinds = {json.loads(line)["kind"] for line in lines}
    assert {k for k in metrics if k.endswith(".cases")} == {f"by.kind={kind}.cases" for kind in kinds}
    assert sum(metrics[f"by.kind={kind}.cases"] for kind in kinds) == 4
    for kind in kinds:
        assert f"by.kind={kind}.sentence.macro_f1" in metrics
