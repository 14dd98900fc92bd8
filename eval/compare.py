"""Compare two runs: metric deltas, and the gates of eval/thresholds.toml applied to the new run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.gates import Gate, GateResult, check_all
from eval.report import flatten, load_run


@dataclass(frozen=True)
class Delta:
    metric: str
    old: float | None
    new: float | None
    gated: bool
    headline: bool = False

    @property
    def change(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


@dataclass(frozen=True)
class Comparison:
    headers: tuple[dict[str, Any], dict[str, Any]]
    deltas: list[Delta]
    gates: list[GateResult]

    @property
    def failed(self) -> list[GateResult]:
        return [g for g in self.gates if g.failed]

    def differences(self) -> list[tuple[str, Any, Any]]:
        """What differs between the two runs' headers (commit, detection, hashes, models)."""
        old, new = self.headers
        rows = []
        for label, path in (
            ("git sha", ("git", "sha")), ("dirty", ("git", "dirty")), ("detection", ("detection",)),
            ("embedding model", ("models", "embedding")), ("llm", ("models", "llm")),
            ("knowledge hash", ("knowledge_hash",)), ("prompt hashes", ("prompt_hashes",)),
        ):
            a, b = _dig(old, path), _dig(new, path)
            if a == b:
                continue
            if isinstance(a, dict) and isinstance(b, dict):
                changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                rows.append((label, "changed:", ", ".join(changed)))
            else:
                rows.append((label, a, b))
        return rows


def _dig(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def compare_runs(old: Path, new: Path, gates: dict[str, Gate]) -> Comparison:
    old_header, old_document = load_run(old)
    new_header, new_document = load_run(new)
    a, b = flatten(old_document), flatten(new_document)
    headline = {
        f"{suite}.{key}" for document in (old_document, new_document)
        for suite, summary in document.get("suites", {}).items()
        for key in [*summary.get("headline", []), "latency.p50_ms", "latency.p95_ms"]
    }
    deltas = [
        Delta(metric, a.get(metric), b.get(metric), metric in gates, metric in headline)
        for metric in sorted(set(a) | set(b), key=lambda m: (m not in gates, m not in headline, m))
    ]
    return Comparison((old_header, new_header), deltas, check_all(gates, a, b))
