"""Gates: thresholds in eval/thresholds.toml, checked by ``shortlist eval compare``.

Each gate names a flattened metric (``suite.metric``) and any of: ``min`` (the new run must reach
it), ``max`` (must not exceed it, for rates where lower is better), ``max_drop`` / ``max_rise``
(the largest allowed move in the bad direction from the old run). A gated metric the new run did
not measure (its suite was skipped) is reported as "not measured" and does not fail the gate.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import InvalidInput
from assistant.settings import REPO_ROOT

THRESHOLDS = REPO_ROOT / "eval" / "thresholds.toml"


class Gate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | None = Field(default=None, description="Lowest acceptable value (higher is better)")
    max: float | None = Field(default=None, description="Highest acceptable value (lower is better)")
    max_drop: float | None = Field(default=None, ge=0, description="Largest allowed fall from the old run")
    max_rise: float | None = Field(default=None, ge=0, description="Largest allowed rise from the old run")

    @model_validator(mode="after")
    def _one_direction(self) -> Gate:
        if self.min is None and self.max is None and self.max_drop is None and self.max_rise is None:
            raise ValueError("a gate needs at least one of min, max, max_drop, max_rise")
        if (self.min is not None or self.max_drop is not None) and (self.max is not None or self.max_rise is not None):
            raise ValueError("a gate is either higher-is-better (min, max_drop) or lower-is-better (max, max_rise)")
        return self

    @property
    def higher_is_better(self) -> bool:
        return self.min is not None or self.max_drop is not None

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"≥ {self.min:g}")
        if self.max is not None:
            parts.append(f"≤ {self.max:g}")
        if self.max_drop is not None:
            parts.append(f"drop ≤ {self.max_drop:g}")
        if self.max_rise is not None:
            parts.append(f"rise ≤ {self.max_rise:g}")
        return ", ".join(parts)


@dataclass(frozen=True)
class GateResult:
    metric: str
    gate: Gate
    old: float | None
    new: float | None
    status: str  # "pass", "fail" or "not measured"
    reason: str

    @property
    def failed(self) -> bool:
        return self.status == "fail"


def load_gates(path: Path = THRESHOLDS) -> dict[str, Gate]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInput(f"{path}: no such thresholds file.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: not valid TOML ({exc}).") from exc
    table = raw.get("gates")
    unknown = set(raw) - {"gates"}
    if not isinstance(table, dict) or unknown:
        raise InvalidInput(f"{path}: (top level): the file holds one [gates] table of 'suite.metric' = {{ ... }}.")
    gates: dict[str, Gate] = {}
    for metric, spec in table.items():
        if not isinstance(spec, dict):
            raise InvalidInput(f"{path}: gates.{metric}: give an inline table, e.g. {{ min = 0.6, max_drop = 0.05 }}.")
        try:
            gates[metric] = Gate.model_validate(spec)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"])
            raise InvalidInput(
                f"{path}: gates.{metric}{'.' + field if field else ''}: {error['msg'].removeprefix('Value error, ')}"
            ) from exc
    return gates


def check(metric: str, gate: Gate, old: Any, new: Any) -> GateResult:
    if not isinstance(new, int | float):
        return GateResult(metric, gate, old if isinstance(old, int | float) else None, None, "not measured",
                          "the new run did not measure this metric")
    old_value = float(old) if isinstance(old, int | float) else None
    problems = []
    if gate.min is not None and new < gate.min:
        problems.append(f"{new:.4g} is below the minimum {gate.min:g}")
    if gate.max is not None and new > gate.max:
        problems.append(f"{new:.4g} is above the maximum {gate.max:g}")
    if old_value is not None and gate.max_drop is not None and old_value - new > gate.max_drop + 1e-9:
        problems.append(f"fell by {old_value - new:.4g} (allowed {gate.max_drop:g})")
    if old_value is not None and gate.max_rise is not None and new - old_value > gate.max_rise + 1e-9:
        problems.append(f"rose by {new - old_value:.4g} (allowed {gate.max_rise:g})")
    return GateResult(metric, gate, old_value, float(new), "fail" if problems else "pass", "; ".join(problems))


def check_all(gates: dict[str, Gate], old: dict[str, Any], new: dict[str, Any]) -> list[GateResult]:
    return [check(metric, gate, old.get(metric), new.get(metric)) for metric, gate in gates.items()]
