"""Plan a run (which suites, which files), validate every dataset, run the suites, write the report."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from assistant.errors import InvalidInput
from assistant.settings import REPO_ROOT
from eval.datasets import (
    DEFAULT_FILES,
    RECORDS,
    SUITE_GROUPS,
    SUITE_NAMES,
    SuiteName,
    file_digest,
    load_records,
    sniff_suites,
)
from eval.gates import THRESHOLDS, Gate, load_gates
from eval.harness import Case, SuiteResult, derive_cases, run_cases
from eval.report import RUNS_DIR, build_header, git_state, header_load, write_run
from eval.report_html import render_report
from eval.suites import SUITES

log = logging.getLogger(__name__)

DATASETS_DIR = REPO_ROOT / "eval" / "datasets"
ProgressFactory = Callable[[str, int | None], AbstractContextManager[Callable[[int], None]]]


@dataclass(frozen=True)
class Planned:
    suite: SuiteName
    path: Path
    cases: list[Case[Any]] | None  # None when the dataset file does not exist (the suite is skipped)


@dataclass(frozen=True)
class RunOutcome:
    out_dir: Path
    header: dict[str, Any]
    results: list[SuiteResult]
    metrics: dict[str, Any]
    report: Path
    wall_s: float


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def plan(suite: str | None, dataset: Path | None, *, limit: int | None = None) -> list[Planned]:
    """Suites to run with their validated cases; a malformed file raises InvalidInput naming line and field."""
    if suite not in (None, "all", *SUITE_NAMES):
        raise InvalidInput(f"Unknown suite '{suite}'; use one of {', '.join(SUITE_NAMES)} or all.")
    if dataset is not None:
        names = sniff_suites(dataset) if suite in (None, "all") else [cast(SuiteName, suite)]
        pairs = [(name, dataset) for name in names]
    else:
        if suite in (None, "all"):
            names = list(SUITE_NAMES)
        else:
            names = list(SUITE_GROUPS.get(suite, (cast(SuiteName, suite),)))
        pairs = [(name, DATASETS_DIR / DEFAULT_FILES[name]) for name in names]
    planned: list[Planned] = []
    loaded: dict[tuple[Path, str], list[Case[Any]]] = {}
    for name, path in pairs:
        if not path.is_file():
            if dataset is not None:
                raise InvalidInput(f"{path}: no such dataset file.")
            planned.append(Planned(name, path, None))
            continue
        record = RECORDS[name]
        key = (path, record.__name__)
        if key not in loaded:
            records = load_records(path, record)
            loaded[key] = [Case(id=r.id, record=r, line=line) for line, r in records][:limit]  # type: ignore[attr-defined]
        planned.append(Planned(name, path, loaded[key]))
    return planned


def _no_progress(description: str, total: int | None) -> AbstractContextManager[Callable[[int], None]]:
    del description, total
    return nullcontext(lambda n=1: None)


def _field_value(record: Any, name: str) -> str | None:
    """A record's value for ``--by``: a known field or a metadata field; lists and dicts are not slices."""
    value = getattr(record, "metadata", {}).get(name, getattr(record, name, None))
    return None if value is None or isinstance(value, list | dict) else str(value)


def _slices(suite: Any, result: SuiteResult, by: str) -> dict[str, Any]:
    """The suite's headline metrics per value of a record field: ``by.<field>=<value>.<metric>``."""
    groups: dict[str, list[Any]] = {}
    for case_result in result.results:
        value = _field_value(case_result.case.record, by)
        if value is not None:
            groups.setdefault(value, []).append(case_result)
    metrics: dict[str, Any] = {}
    for value, members in sorted(groups.items()):
        summary = suite.summarise(members)
        metrics[f"by.{by}={value}.cases"] = len(members)
        for key in result.headline:
            metrics[f"by.{by}={value}.{key}"] = summary.get(key)
    return metrics


def _run_suite(
    assistant: Any,
    item: Planned,
    progress: ProgressFactory,
    out_dir: Path,
    done: dict[tuple[str, Path], SuiteResult],
    by: str | None = None,
) -> SuiteResult:
    started = time.perf_counter()
    shown = _display(item.path)
    if item.cases is None:
        return SuiteResult(item.suite, "skipped", f"skipped: dataset {shown} not found", dataset=shown)
    suite = SUITES[item.suite]()
    try:
        reason = suite.prepare(assistant, item.cases, item.path)
    except InvalidInput:
        raise
    except Exception as exc:  # an engine that fails to build must not take the other suites down
        log.warning("suite %s could not start:\n%s", item.suite, traceback.format_exc())
        return SuiteResult(item.suite, "error", f"error while preparing: {type(exc).__name__}: {exc}", dataset=shown)
    if reason:
        return SuiteResult(item.suite, "skipped", f"skipped: {reason}", dataset=shown)
    source = done.get((getattr(suite, "derives_from", ""), item.path))
    note = ""
    if source is not None and source.status == "ok":
        results = derive_cases(suite, source.results)
        note = f"judged on the {source.name} suite's outputs for the same cases; latencies are theirs"
    else:
        with progress(f"{item.suite:<11}", len(item.cases)) as advance:
            results = run_cases(suite, item.cases, progress=advance)
    result = SuiteResult(item.suite, "ok", dataset=shown, results=results, headline=dict(suite.headline), note=note)
    try:
        result.metrics = suite.summarise(results)
        result.figures, result.tables = suite.report(results, result.metrics, out_dir)
        if by:
            result.metrics.update(_slices(suite, result, by))
    except Exception as exc:
        log.warning("suite %s could not be summarised:\n%s", item.suite, traceback.format_exc())
        result.status, result.reason = "error", f"error while summarising: {type(exc).__name__}: {exc}"
    result.wall_s = time.perf_counter() - started
    return result


def run(
    assistant: Any,
    planned: Sequence[Planned],
    *,
    out_dir: Path | None = None,
    argv: list[str] | None = None,
    progress: ProgressFactory | None = None,
    gates: dict[str, Gate] | None = None,
    by: str | None = None,
) -> RunOutcome:
    """Run the planned suites with one Assistant and write header, rows, metrics and the HTML report."""
    started = time.perf_counter()
    datasets: dict[str, dict[str, Any]] = {
        item.suite: {"path": _display(item.path), "sha256": file_digest(item.path), "records": len(item.cases)}
        for item in planned if item.cases is not None
    }
    header = build_header(assistant, git=git_state(), datasets=datasets, argv=argv or [])
    out_dir = out_dir or RUNS_DIR / header["run_id"]
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = progress or _no_progress
    done: dict[tuple[str, Path], SuiteResult] = {}
    providers = {getattr(SUITES[item.suite], "derives_from", "") for item in planned}
    for item in sorted(planned, key=lambda p: p.suite not in providers):  # providers run first
        done[(item.suite, item.path)] = _run_suite(assistant, item, progress, out_dir, done, by)
    results = [done[(item.suite, item.path)] for item in planned]
    wall = time.perf_counter() - started
    header["wall_s"] = round(wall, 1)
    header["load_average_end"] = header_load()
    document = write_run(out_dir, header, results)
    if gates is None:
        gates = load_gates(THRESHOLDS) if THRESHOLDS.is_file() else {}
    report = render_report(out_dir, header, results, gates, total_wall_s=wall)
    return RunOutcome(out_dir, header, results, document, report, wall)


def iter_headlines(outcome: RunOutcome) -> Iterator[tuple[str, str, str]]:
    """(suite, label, value) for the summary printed at the end of a run."""
    for result in outcome.results:
        if result.status != "ok":
            yield result.name, result.reason, ""
            continue
        for key, label in result.headline.items():
            value = result.metrics.get(key)
            yield result.name, label, f"{value:.3f}" if isinstance(value, float) else str(value)
