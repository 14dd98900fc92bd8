"""A run on disk: header.json, rows.jsonl, metrics.json (and report.html with its PNGs).

The header says exactly what was measured: git SHA and dirty flag, settings without secrets,
model ids, detection configuration, knowledge and prompt hashes, and the datasets' digests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInput
from assistant.settings import REPO_ROOT
from eval.harness import SuiteResult, latency_metrics

RUNS_DIR = REPO_ROOT / "eval" / "runs"


@dataclass(frozen=True)
class GitState:
    sha: str | None
    dirty: bool | None
    branch: str | None

    @property
    def short(self) -> str:
        return self.sha[:8] if self.sha else "nogit"


def _read_ref(git_dir: Path, ref: str) -> str | None:
    loose = git_dir / ref
    if loose.is_file():
        return loose.read_text().strip()
    packed = git_dir / "packed-refs"
    if packed.is_file():
        for line in packed.read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
    return None


def git_state(root: Path = REPO_ROOT) -> GitState:
    """The commit is read from .git directly; the dirty flag asks git without taking any lock."""
    git_dir = root / ".git"
    if not git_dir.is_dir():
        return GitState(None, None, None)
    head = (git_dir / "HEAD").read_text().strip()
    branch = head.removeprefix("ref: refs/heads/") if head.startswith("ref: ") else None
    sha = _read_ref(git_dir, head[5:]) if head.startswith("ref: ") else head
    try:
        status = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, timeout=20, check=True,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
        dirty: bool | None = bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        dirty = None
    return GitState(sha, dirty, branch)


def prompt_hashes(prompts_dir: Path) -> dict[str, str]:
    if not prompts_dir.is_dir():
        return {}
    return {
        str(path.relative_to(prompts_dir)): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(prompts_dir.rglob("*.j2"))
    }


def build_header(assistant: Any, *, git: GitState, datasets: dict[str, dict[str, Any]], argv: list[str]) -> dict[
    str, Any
]:
    settings = assistant.settings
    now = dt.datetime.now(dt.UTC)
    return {
        "run_id": f"{now:%Y%m%d-%H%M%S}-{git.short}",
        "created": now.isoformat(timespec="seconds"),
        "git": {"sha": git.sha, "dirty": git.dirty, "branch": git.branch},
        "command": argv,
        "settings": settings.public_dump(),
        "models": {"embedding": assistant.embeddings.model_id, "llm": settings.llm.model},
        "detection": settings.detection.model_dump(),
        "knowledge_hash": assistant.knowledge_hash,
        "prompt_hashes": prompt_hashes(settings.prompts_dir),
        "datasets": datasets,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": header_load(),  # other work on the machine slows the latencies measured here
    }


def header_load() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def suite_summary(result: SuiteResult) -> dict[str, Any]:
    metrics = dict(result.metrics)
    if result.status == "ok":
        metrics.update(latency_metrics(result.results))
    return {
        "status": result.status,
        "reason": result.reason,
        "dataset": result.dataset,
        "cases": len(result.results),
        "errors": sum(r.error is not None for r in result.results),
        "wall_s": round(result.wall_s, 2),
        "note": result.note,
        "headline": list(result.headline),
        "metrics": metrics,
    }


def write_run(out_dir: Path, header: dict[str, Any], results: list[SuiteResult]) -> dict[str, Any]:
    """Write header.json, rows.jsonl and metrics.json; returns the metrics document."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "header.json").write_text(json.dumps(header, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with (out_dir / "rows.jsonl").open("w", encoding="utf-8") as handle:
        for result in results:
            for case_result in result.results:
                handle.write(json.dumps(case_result.row(result.name), ensure_ascii=False) + "\n")
    document = {"run_id": header["run_id"], "suites": {r.name: suite_summary(r) for r in results}}
    (out_dir / "metrics.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return document


def flatten(document: dict[str, Any]) -> dict[str, Any]:
    """``suite.metric`` → value for every scalar metric of the suites that ran."""
    flat: dict[str, Any] = {}
    for suite, summary in document.get("suites", {}).items():
        if summary.get("status") != "ok":
            continue
        for key, value in summary.get("metrics", {}).items():
            if value is None or isinstance(value, int | float) and not isinstance(value, bool):
                flat[f"{suite}.{key}"] = value
    return flat


def load_run(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, metrics document) from a run directory, its metrics.json, or a run id under eval/runs."""
    if not path.exists() and (RUNS_DIR / path).is_dir():
        path = RUNS_DIR / path
    directory = path if path.is_dir() else path.parent
    metrics_file = directory / "metrics.json"
    if not metrics_file.is_file():
        raise InvalidInput(f"{path}: not an eval run (no metrics.json); pass a directory made by 'shortlist eval run'.")
    try:
        document = json.loads(metrics_file.read_text(encoding="utf-8"))
        header_file = directory / "header.json"
        header = json.loads(header_file.read_text(encoding="utf-8")) if header_file.is_file() else {}
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{metrics_file}: not valid JSON ({exc}).") from exc
    return header, document
