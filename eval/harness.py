"""Case / Evaluator / Report: the shape every suite follows.

A Case holds inputs and expectations (a validated dataset record). A suite's task turns a case
into an output (a small JSON-able dict) with the assistant; Evaluators score one case's output
with a reason. Corpus metrics (F1, recall@k, ...) are computed by the suite from all outputs,
because averaging per-case scores would weight them wrongly.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from assistant.errors import ShortlistError
from eval.metrics import percentile

log = logging.getLogger(__name__)

R = TypeVar("R", bound=BaseModel)
Output = dict[str, Any]
Metrics = dict[str, Any]


@dataclass(frozen=True)
class Case(Generic[R]):
    """One dataset record; ``line`` ties every row back to its file for a person to check."""

    id: str
    record: R
    line: int


@dataclass(frozen=True)
class Score:
    name: str
    value: float | None
    reason: str = ""


Evaluator = Callable[[Case[Any], Output], list[Score]]


@dataclass
class CaseResult:
    case: Case[Any]
    output: Output
    scores: list[Score]
    latency_ms: float
    error: str | None = None

    def row(self, suite: str) -> dict[str, Any]:
        return {
            "suite": suite,
            "case": self.case.id,
            "line": self.case.line,
            "latency_ms": round(self.latency_ms, 1),
            "error": self.error,
            "scores": {s.name: s.value for s in self.scores},
            "reasons": {s.name: s.reason for s in self.scores if s.reason},
            "output": self.output,
        }


@dataclass(frozen=True)
class Figure:
    """A PNG written by a suite, with the caption the HTML report shows under it."""

    file: str
    title: str
    caption: str = ""
    wide: bool = False  # spans the full width of the report


@dataclass
class Table:
    """A small table the HTML report renders (e.g. the worst cases, a confusion table)."""

    title: str
    columns: list[str]
    rows: list[list[Any]]
    caption: str = ""


@dataclass
class SuiteResult:
    name: str
    status: str  # "ok", "skipped" or "error"
    reason: str = ""
    dataset: str = ""
    results: list[CaseResult] = field(default_factory=list)
    metrics: Metrics = field(default_factory=dict)
    headline: dict[str, str] = field(default_factory=dict)  # metric key -> label for summary cards
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    wall_s: float = 0.0
    note: str = ""

    @property
    def latencies(self) -> list[float]:
        return [r.latency_ms for r in self.results]


class Suite(Protocol):
    """What the runner needs from a suite module's ``SUITE`` object."""

    name: str
    headline: dict[str, str]

    def prepare(self, assistant: Any, cases: Sequence[Case[Any]], dataset: Path) -> str | None:
        """Load what the suite needs; return a reason to skip it, or None. Bad cases raise InvalidInput."""

    def task(self, case: Case[Any]) -> Output: ...

    def evaluators(self) -> list[Evaluator]: ...

    def summarise(self, results: list[CaseResult]) -> Metrics: ...

    def report(self, results: list[CaseResult], metrics: Metrics, out_dir: Path) -> tuple[list[Figure], list[Table]]:
        ...


def run_cases(
    suite: Suite, cases: Sequence[Case[Any]], *, progress: Callable[[int], None] | None = None
) -> list[CaseResult]:
    """Run the task on each case, timing it; one failing case is recorded, not fatal."""
    results: list[CaseResult] = []
    evaluators = suite.evaluators()
    for case in cases:
        started = time.perf_counter()
        try:
            output = suite.task(case)
            error = None
        except ShortlistError as exc:
            output, error = {}, f"{type(exc).__name__}: {exc.message}"
        except Exception as exc:  # a bug in one case must not hide the other results
            log.warning("case %s of suite %s failed:\n%s", case.id, suite.name, traceback.format_exc())
            output, error = {}, f"{type(exc).__name__}: {exc}"
        latency = (time.perf_counter() - started) * 1000
        scores: list[Score] = []
        if error is None:
            for evaluator in evaluators:
                scores.extend(evaluator(case, output))
        results.append(CaseResult(case=case, output=output, scores=scores, latency_ms=latency, error=error))
        if progress:
            progress(1)
    return results


def derive_cases(suite: Any, source: Sequence[CaseResult]) -> list[CaseResult]:
    """Score a suite on another suite's outputs (same cases), keeping their latencies and errors."""
    results: list[CaseResult] = []
    evaluators = suite.evaluators()
    for item in source:
        if item.error is not None:
            results.append(CaseResult(item.case, {}, [], item.latency_ms, item.error))
            continue
        output = suite.derive(item.case, item.output)
        scores = [score for evaluator in evaluators for score in evaluator(item.case, output)]
        results.append(CaseResult(item.case, output, scores, item.latency_ms))
    return results


def latency_metrics(results: Sequence[CaseResult]) -> Metrics:
    values = [r.latency_ms for r in results]
    p50, p95 = percentile(values, 50), percentile(values, 95)
    return {
        "latency.p50_ms": None if p50 is None else round(p50, 1),
        "latency.p95_ms": None if p95 is None else round(p95, 1),
    }
