"""Why each kind of evidence matters and how to add it: knowledge/advice.yaml rendered per criterion."""

from __future__ import annotations

from pathlib import Path

import yaml
from jinja2 import Environment, StrictUndefined
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.errors import ConfigError
from assistant.packs import Criterion
from assistant.taxonomy import EVIDENCE_TYPES, EvidenceType


class AdviceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    why: str
    suggestion: str
    anchored: str


class Advice:
    """Why each evidence type matters and how to add it, rendered per criterion and anchor."""

    def __init__(self, entries: dict[EvidenceType, AdviceEntry]) -> None:
        self._entries = entries
        self._env = Environment(undefined=StrictUndefined, autoescape=False)

    @classmethod
    def load(cls, path: Path) -> Advice:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            entries = {t: AdviceEntry.model_validate(raw[t]) for t in EVIDENCE_TYPES}
        except KeyError as exc:
            raise ConfigError(f"{path}: {exc.args[0]}: advice for this evidence type is missing.") from exc
        except ValidationError as exc:
            raise ConfigError(f"{path}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from exc
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot be read as YAML ({exc}).") from exc
        extra = set(raw) - set(EVIDENCE_TYPES)
        if extra:
            raise ConfigError(f"{path}: {sorted(extra)}: not evidence types of the taxonomy.")
        return cls(entries)

    def render(self, evidence_type: EvidenceType, criterion: Criterion, anchor: str | None) -> tuple[str, str]:
        entry = self._entries[evidence_type]
        context = {"criterion": criterion.title, "questions": criterion.questions, "anchor": anchor or ""}
        why = self._env.from_string(entry.why).render(context)
        template = entry.anchored if anchor else entry.suggestion
        return why.strip(), self._env.from_string(template).render(context).strip()
