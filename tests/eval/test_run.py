"""End to end with the real model on a subset: every suite runs, the report is written, and a
degraded configuration makes `shortlist eval compare` exit non-zero.

The degraded configuration switches the classifier off (rules only). Switching the rules off no
longer degrades detection: the classifier's tf-idf and embedding features carry it (measured on
the full gold set: sentence macro-F1 0.819 with rules, 0.819 without; 0.518 without classifier).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.service import Assistant
from eval.runner import DATASETS_DIR, plan, run
from tests.conftest import make_settings

pytestmark = pytest.mark.slow


def _compare(a: Path, b: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from assistant.cli import main; main()", "eval", "compare", str(a), str(b)],
        capture_output=True, text=True, timeout=120,
    )


def test_subset_of_every_suite_writes_rows_metrics_header_and_html(real_assistant: Assistant, tmp_path: Path) -> None:
    outcome = run(real_assistant, plan("all", None, limit=3), out_dir=tmp_path, argv=["test"])
    statuses = {r.name: r.status for r in outcome.results}
    assert statuses["evidence"] == statuses["sections"] == statuses["review"] == statuses["retrieval"] == "ok"
    for name in ("eligibility", "chat"):
        result = next(r for r in outcome.results if r.name == name)
        assert result.status == "ok" or result.reason.startswith("skipped:"), result.reason
    header = json.loads((tmp_path / "header.json").read_text())
    assert header["git"]["sha"] and header["knowledge_hash"] == real_assistant.knowledge_hash
    assert header["models"]["embedding"] == "sentence-transformers:all-MiniLM-L6-v2"
    assert header["settings"]["detection"] == real_assistant.settings.detection.model_dump(mode="json")
    assert header["detection"]["rules"] is True and header["detection"]["classifier"] is True
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert {row["suite"] for row in rows} >= {"evidence", "sections", "review", "retrieval"}
    assert all(row["error"] is None for row in rows), [row["error"] for row in rows if row["error"]]
    metrics = json.loads((tmp_path / "metrics.json").read_text())["suites"]
    assert 0 <= metrics["evidence"]["metrics"]["sentence.macro_f1"] <= 1
    assert metrics["evidence"]["metrics"]["latency.p95_ms"] >= metrics["evidence"]["metrics"]["latency.p50_ms"]
    assert 0 <= metrics["retrieval"]["metrics"]["bm25.recall@5"] <= 1
    assert (tmp_path / "report.html").stat().st_size > 5000
    assert (tmp_path / "evidence_f1.png").stat().st_size > 5000


def test_degraded_detection_fails_the_gates_against_the_default(real_assistant: Assistant, tmp_path: Path) -> None:
    # The team-written gold alone: on a 20-text slice of the real dev split the absolute floors would
    # fail even the comparison of a run with itself.
    planned = plan("evidence", DATASETS_DIR / "evidence_gold.jsonl", limit=20)
    baseline = run(real_assistant, planned, out_dir=tmp_path / "default")
    degraded_settings = make_settings(real_assistant.settings.data_dir, detection={"classifier": False})
    degraded = run(Assistant.from_settings(degraded_settings), planned, out_dir=tmp_path / "rules-only")
    assert degraded.header["detection"]["classifier"] is False

    same = _compare(baseline.out_dir, baseline.out_dir)
    assert same.returncode == 0, same.stdout + same.stderr
    worse = _compare(baseline.out_dir, degraded.out_dir)
    assert worse.returncode == 1, worse.stdout + worse.stderr
    assert "evidence.sentence.macro_f1" in worse.stderr + worse.stdout
