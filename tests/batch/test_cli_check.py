"""`shortlist check` end to end: a folder in, a report out; a re-run reuses every result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.errors import NotFound
from assistant.service import Assistant
from tests.batch.planted import PLANTED


@pytest.fixture()
def cli_env(batch_assistant: Assistant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # Share the already-synced vector store; keep the batch cache private to this test.
    (data_dir / "chroma").symlink_to(batch_assistant.settings.chroma_dir)
    monkeypatch.setenv("SHORTLIST_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SHORTLIST_EMBEDDINGS__MODEL", "fake:384")
    monkeypatch.setenv("SHORTLIST_BATCH_WORKERS", "1")
    return data_dir


def test_check_writes_a_report_and_a_rerun_reuses_every_entry(
    cli_env: Path, planted_batch: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["check", str(planted_batch), "--programme", "hsj-awards-2025", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(PLANTED)} entries" in result.output
    report = json.loads(out.read_text())
    assert [e["id"] for e in report["entries"]] == list(PLANTED)
    corrupt = next(e for e in report["entries"] if e["id"] == "corrupt")
    assert corrupt["verdict"] == "needs_review" and corrupt["rules"][0]["rule"] == "input"

    html = tmp_path / "r.html"
    again = runner.invoke(app, ["check", str(planted_batch), "-p", "hsj-awards-2025", "--out", str(html)])
    assert again.exit_code == 0, again.output
    assert f"{len(PLANTED)} reused" in again.output
    assert html.read_text().startswith("<!DOCTYPE html>")

    as_json = runner.invoke(app, ["check", str(planted_batch), "-p", "hsj-awards-2025", "--json"])
    assert json.loads(as_json.stdout.strip().splitlines()[-1]) == report

    # The full review behind the rules is a different computation: nothing is reused, the verdicts agree.
    full = runner.invoke(app, ["check", str(planted_batch), "-p", "hsj-awards-2025", "--full-review"])
    assert full.exit_code == 0, full.output
    assert "(0 reused" in full.output
    full_json = runner.invoke(app, ["check", str(planted_batch), "-p", "hsj-awards-2025", "--full-review", "--json"])
    full_report = json.loads(full_json.stdout.strip().splitlines()[-1])
    assert [(e["id"], e["verdict"]) for e in full_report["entries"]] == [
        (e["id"], e["verdict"]) for e in report["entries"]
    ]


def test_check_names_an_unknown_programme(cli_env: Path, planted_batch: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(planted_batch), "--programme", "no-such-awards"])
    assert isinstance(result.exception, NotFound)
    assert "Known programmes" in result.exception.message


def test_sigterm_stops_a_batch_cleanly_and_a_rerun_resumes(cli_env: Path, tmp_path: Path) -> None:
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    folder = tmp_path / "many"
    folder.mkdir()
    text = (Path(__file__).parents[1] / "eligibility" / "data" / "acute_good.md").read_text(encoding="utf-8")
    rows = ["id,file,category,organisation,sector"]
    for n in range(400):
        (folder / f"e{n:03d}.md").write_text(f"{text}\nReference {n}.\n", encoding="utf-8")
        rows.append(f"e{n:03d},e{n:03d}.md,acute-innovation,Northgate Hospitals NHS Foundation Trust,nhs_provider")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    command = [sys.executable, "-c", "from assistant.cli import main; main()", "check", str(folder),
               "-p", "hsj-awards-2025"]
    process = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    cache = cli_env / "batches" / "cache.sqlite3"
    started = time.monotonic()
    saved = 0
    while saved < 3 and process.poll() is None and time.monotonic() - started < 120:
        time.sleep(0.2)
        if cache.is_file():
            with sqlite3.connect(cache) as db:
                try:
                    saved = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
                except sqlite3.OperationalError:
                    saved = 0
    assert process.poll() is None, "the batch finished before it could be stopped"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "run the same command again to resume" in " ".join(stderr.split())
    with sqlite3.connect(cache) as db:
        kept = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    assert 3 <= kept < 400

    again = CliRunner().invoke(app, ["check", str(folder), "-p", "hsj-awards-2025"])
    assert again.exit_code == 0, again.output
    summary = " ".join(again.output.split())
    assert "400 entries" in summary and f"({kept} reused from an earlier run" in summary, summary[:400]


def test_programme_is_inferred_from_the_categories_the_entries_name(
    cli_env: Path, planted_batch: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["check", str(planted_batch), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["programme"] == "hsj-awards-2025"


def test_categories_of_no_single_programme_name_the_candidates(batch_assistant: Assistant) -> None:
    from assistant.errors import InvalidInput
    from assistant.packs import PackLibrary

    packs = batch_assistant.packs
    awards = packs.programme("hsj-awards-2025")
    # A new edition of the same programme carries the same category ids.
    editions = PackLibrary([awards, awards.model_copy(update={"id": "hsj-awards-2026", "year": 2026})])
    with pytest.raises(InvalidInput, match=r"several programmes: hsj-awards-2025, hsj-awards-2026; pass --programme"):
        editions.infer_programme(["acute-innovation"])
    with pytest.raises(InvalidInput, match=r"No programme has all the categories named .*Programmes with some"):
        packs.infer_programme(["acute-innovation", "clinical-support-service"])
    assert packs.infer_programme(["acute-innovation"]).id == "hsj-awards-2025"
