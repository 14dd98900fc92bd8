"""The `shortlist` command as users run it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.review import Review
from assistant.service import Assistant
from tests.conftest import SAMPLES

SHORTLIST = str(Path(sys.executable).with_name("shortlist"))


def run(*args: str, data_dir: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTLIST_")}
    env["SHORTLIST_DATA_DIR"] = str(data_dir)
    return subprocess.run([SHORTLIST, *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.md", b"", "empty"),
        ("binary.txt", bytes(range(256)) * 8, "binary"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "damaged"),
        ("scan.pdf", b"%PDF-1.4\n%%EOF", "PDF"),
    ],
)
def test_bad_files_exit_1_with_one_line(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("review", str(path), "--category", "acute-innovation", data_dir=tmp_path / "data")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message.lower() in lines[0].lower(), result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_and_unknown_category_exit_1(tmp_path: Path) -> None:
    missing = run("review", str(tmp_path / "nope.md"), "-c", "acute-innovation", data_dir=tmp_path)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    draft = SAMPLES / "falls-no-headings.md"
    unknown = run("review", str(draft), "-c", "best-cake", data_dir=tmp_path)
    assert unknown.returncode == 1 and "packs list" in unknown.stderr


def test_packs_list_json_and_validate(tmp_path: Path) -> None:
    listed = json.loads(run("packs", "list", "--json", data_dir=tmp_path).stdout)
    assert {"id", "name", "year", "deadline", "categories"} <= set(listed[0])
    criterion = listed[0]["categories"][0]["criteria"][0]
    assert set(criterion) == {"id", "title", "expects", "word_limit"}
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nname: X\nyear: 2024\ndeadline: 2024-01-01\ncategories: []\n")
    result = run("packs", "validate", str(broken), data_dir=tmp_path)
    assert result.returncode == 1 and "categories" in result.stderr and str(broken) in result.stderr


@pytest.mark.slow
def test_review_json_contract_and_redraft_comparison(real_assistant: Assistant, tmp_path: Path) -> None:
    data_dir = real_assistant.settings.data_dir
    draft = SAMPLES / "hospital-at-home-draft.md"
    result = run("review", str(draft), "--category", "acute-innovation", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    review = Review.model_validate_json(result.stdout)
    text = draft.read_text()
    assert all(text[e.start : e.end] == e.quote for c in review.criteria for e in c.evidence)

    improved = tmp_path / "improved.md"
    improved.write_text(
        text.replace(
            "We will roll the model out to our second hospital site next year",
            "Since June 2024 the model has been adopted by Westmoor Hospitals NHS Trust, which has treated 310 "
            "patients at home",
        )
    )
    compared = run("review", str(improved), "-c", "acute-innovation", "--against", str(draft), "--json",
                   data_dir=data_dir)
    assert compared.returncode == 0, compared.stderr
    change = {c["id"]: c for c in json.loads(compared.stdout)["change"]["criteria"]}
    assert "spread" in change["scale"]["added"]
    assert change["scale"]["band_moved"] is True
    assert change["impact"]["added"] == [] and change["impact"]["lost"] == []


@pytest.mark.slow
def test_ingest_twice_reports_nothing_new(real_assistant: Assistant) -> None:
    result = run("ingest", data_dir=real_assistant.settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "nothing new" in result.stdout
    assert "added    0" in result.stdout


@pytest.mark.slow
def test_ingest_own_entries_then_remove_one(real_assistant: Assistant, tmp_path: Path) -> None:
    entries = tmp_path / "entries"
    entries.mkdir()
    (entries / "falls.md").write_text((SAMPLES / "falls-no-headings.md").read_text())
    (entries / "falls.yaml").write_text("programme: kent-medway-qsi-2020\ncategory: community-care-safety\n")
    (entries / "orphan.md").write_text("No sidecar for this one.")
    data_dir = real_assistant.settings.data_dir
    first = run("ingest", str(entries), data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    assert "skipped" in first.stderr and "orphan.md" in first.stderr
    assert "entry      added" in first.stdout and "added    0" not in first.stdout.split("entry")[1]
    second = run("ingest", str(entries), data_dir=data_dir)
    assert "nothing new" in second.stdout
    (entries / "falls.md").unlink()
    third = run("ingest", str(entries), data_dir=data_dir)
    assert "removed    0" not in third.stdout.split("entry")[1]


@pytest.mark.slow
def test_evidence_jsonl_prints_one_line_per_record(real_assistant: Assistant, tmp_path: Path) -> None:
    records = tmp_path / "texts.jsonl"
    records.write_text(
        json.dumps({"id": "a", "text": "Falls fell from 12 to 4 a month against a target of 6.", "extra": 1}) + "\n"
        + json.dumps({"id": "b", "text": "We hope to roll this out next year."}) + "\n"
    )
    result = run("evidence", "--jsonl", str(records), "--json", data_dir=real_assistant.settings.data_dir)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert {e["type"] for e in lines[0]["evidence"]} >= {"metric", "baseline"}
    assert "spread" not in {e["type"] for e in lines[1]["evidence"]}
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    failed = run("evidence", "--jsonl", str(bad), "--json", data_dir=real_assistant.settings.data_dir)
    assert failed.returncode == 1 and "bad.jsonl:1" in failed.stderr


def test_an_unknown_sector_is_refused_before_any_work(tmp_path: Path) -> None:
    draft = SAMPLES / "hospital-at-home-draft.md"
    result = run("review", str(draft), "-c", "acute-innovation", "--sector", "martian", data_dir=tmp_path)
    assert result.returncode == 1
    assert "Unknown sector 'martian'" in result.stderr and "nhs_provider" in result.stderr


@pytest.mark.slow
def test_review_with_an_entrant_agrees_with_the_organisers_eligibility_check(real_assistant: Assistant) -> None:
    from assistant.eligibility import EntryInput, check_eligibility

    draft = SAMPLES / "hospital-at-home-draft.md"
    result = run("review", str(draft), "-c", "acute-innovation", "-p", "hsj-awards-2025", "--no-examples", "--json",
                 "--organisation", "Northgate Hospitals NHS Foundation Trust", "--sector", "NHS trust",
                 data_dir=real_assistant.settings.data_dir)
    assert result.returncode == 0, result.stderr
    review = Review.model_validate_json(result.stdout)
    assert review.eligibility is not None
    programme, category = real_assistant.resolve("acute-innovation", "hsj-awards-2025")
    entry = EntryInput(organisation="Northgate Hospitals NHS Foundation Trust", sector="nhs_provider",
                       text=draft.read_text(encoding="utf-8"))
    organiser = check_eligibility(real_assistant, entry, programme, category)
    assert [(r.rule, r.status) for r in review.eligibility.rules] == [(r.rule, r.status) for r in organiser.rules]
    assert review.eligibility.verdict == organiser.verdict


@pytest.mark.slow
def test_a_review_of_another_category_is_not_read_as_this_one(real_assistant: Assistant) -> None:
    from assistant.eligibility import EntryInput, check_eligibility
    from assistant.errors import InvalidInput

    text = (SAMPLES / "hospital-at-home-draft.md").read_text(encoding="utf-8")
    review = real_assistant.review(text, "acute-innovation", programme="hsj-awards-2025", examples=False)
    programme, category = real_assistant.resolve("patient-safety", "hsj-awards-2025")
    with pytest.raises(InvalidInput, match="acute-innovation"):
        check_eligibility(real_assistant, EntryInput(text=text), programme, category, review=review)
