"""The must-show batch: every planted problem is classified correctly, with reasons and exact quotes,
by the real model in two worker processes; a re-run of the unchanged batch is much faster and identical."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.batch import load_path, run_batch
from assistant.batch.cache import ResultCache
from assistant.batch.report import to_json
from assistant.service import Assistant
from tests.batch.planted import AI_INSTRUCTION, PLANTED

pytestmark = pytest.mark.slow


def test_a_batch_with_planted_problems_is_classified_with_reasons_and_rerun_from_cache(
    real_assistant: Assistant, planted_batch: Path, tmp_path: Path
) -> None:
    programme = real_assistant.packs.programme("hsj-awards-2025")
    items = load_path(planted_batch, programme=programme, mapping=None, limits=real_assistant.settings.limits)
    cache = ResultCache(tmp_path / "cache.sqlite3")

    started = time.perf_counter()
    report = run_batch(real_assistant, items, programme, workers=2, cache=cache)
    first_run = time.perf_counter() - started

    entries = {e.id: e for e in report.entries}
    assert list(entries) == list(PLANTED)
    for entry_id, spec in PLANTED.items():
        entry = entries[entry_id]
        flagged = {r.rule: r.status for r in entry.rules if r.status != "pass"}
        assert flagged == spec["expect"], (entry_id, [r for r in entry.rules if r.status != "pass"])
        assert entry.verdict == spec["verdict"], entry_id
        for rule in entry.rules:
            assert rule.reason.endswith("."), rule
        if entry_id != "corrupt":
            text = real_assistant.read_file(planted_batch / str(spec["file"])).text
            assert all(quote in text for rule in entry.rules for quote in rule.quotes), entry_id

    assert "private sector" in entries["wrong-sector"].rule("primary_entrant").reason  # type: ignore[union-attr]
    stale = entries["stale"].rule("evidence_window")
    assert stale is not None and "before the 24-month window" in stale.reason
    assert any("2018" in quote for quote in stale.quotes)
    assert "Scale" in entries["missing-criterion"].rule("required_criteria").reason  # type: ignore[union-attr]
    assert "Impact has" in entries["over-limit"].rule("word_limits").reason  # type: ignore[union-attr]
    assert "943 476 5919" in entries["pii"].rule("pii").quotes  # type: ignore[union-attr]
    assert entries["ai-instruction"].rule("ai_instructions").quotes == [AI_INSTRUCTION]  # type: ignore[union-attr]
    assert "damaged" in entries["corrupt"].rule("input").reason  # type: ignore[union-attr]
    fit = entries["mismatch"].rule("category_fit")
    assert fit is not None and "better fit: Mental Health Innovation of the Year" in fit.reason

    started = time.perf_counter()
    again = run_batch(real_assistant, load_path(planted_batch, programme=programme, mapping=None,
                                                limits=real_assistant.settings.limits),
                      programme, workers=2, cache=cache)
    second_run = time.perf_counter() - started
    assert to_json(again) == to_json(report)
    assert second_run < first_run / 10, (first_run, second_run)
