"""Which spreadsheet column holds what: a small YAML or TOML file, or sensible defaults.

```yaml
id: Entry reference
organisation: Lead organisation
category: Category
criteria:            # criterion id -> column header
  ambition: Q1 Ambition
  impact: Q3 Impact
```
Columns left out are found by their headers: metadata by common names, answers by matching the
header to a criterion's title, aliases or equivalents (as the section finder matches headings).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ConfigError
from assistant.packs import Category, Programme, format_validation_error
from assistant.sections import match_heading, normalise

META_FIELDS = ("id", "organisation", "sector", "category", "partners", "partner_sectors", "deadline", "text")
_HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "entry id", "reference", "ref", "entry reference", "entry ref", "submission id"),
    "organisation": ("organisation", "organization", "entrant", "lead organisation", "organisation name"),
    "sector": ("sector", "entrant sector", "organisation sector", "lead sector"),
    "category": ("category", "award category", "category id", "award"),
    "partners": ("partners", "partner organisations", "partner organizations", "partner"),
    "partner_sectors": ("partner sectors", "partner sector", "partners sectors"),
    "deadline": ("deadline", "entry deadline", "closing date"),
    "text": ("text", "entry text", "full entry", "full text", "draft"),
}
CRITERION_MATCH = 0.8


class ColumnMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    organisation: str | None = None
    sector: str | None = None
    category: str | None = None
    partners: str | None = None
    partner_sectors: str | None = None
    deadline: str | None = None
    text: str | None = Field(default=None, description="One column holding the whole entry")
    default_category: str | None = Field(default=None, description="Category for rows without one")
    criteria: dict[str, str] = Field(default_factory=dict, description="Criterion id -> column header")


def load_mapping(path: Path) -> ColumnMapping:
    try:
        raw_text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(raw_text) if path.suffix.lower() == ".toml" else yaml.safe_load(raw_text)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such column mapping file.") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML or TOML ({exc}).") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: (top level): the mapping must be a table of field: column header.")
    try:
        return ColumnMapping.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc)) from exc


def _key(header: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", header.lower().replace("_", " ")))


class ResolvedColumns:
    """Headers of one spreadsheet, resolved against the mapping and the programme."""

    def __init__(self, headers: list[str], mapping: ColumnMapping, programme: Programme) -> None:
        self.headers = headers
        self.mapping = mapping
        self.programme = programme
        by_key = {_key(h): h for h in reversed(headers)}
        self.meta: dict[str, str] = {}
        missing = []
        for name in META_FIELDS:
            chosen = getattr(mapping, name)
            if chosen is not None:
                if chosen not in headers:
                    missing.append(f"{name}: '{chosen}'")
                    continue
                self.meta[name] = chosen
                continue
            for candidate in _HEADER_NAMES[name]:
                if candidate in by_key and by_key[candidate] not in self.meta.values():
                    self.meta[name] = by_key[candidate]
                    break
        unknown = [f"criteria.{cid}: '{h}'" for cid, h in mapping.criteria.items() if h not in headers]
        if missing or unknown:
            raise ConfigError(
                "The column mapping names columns the spreadsheet does not have: " + ", ".join(missing + unknown)
                + f". Its columns are: {', '.join(headers)}."
            )
        if "text" in self.meta and self.meta["text"] == self.meta.get("id"):
            del self.meta["text"]
        self._answers: dict[str, list[tuple[str, str]]] = {}

    def answer_columns(self, category: Category) -> list[tuple[str, str]]:
        """(criterion id, header) for every column answering a criterion of this category, in criterion order."""
        if category.id in self._answers:
            return self._answers[category.id]
        used = set(self.meta.values())
        explicit = {cid: h for cid, h in self.mapping.criteria.items() if any(c.id == cid for c in category.criteria)}
        found: dict[str, str] = dict(explicit)
        for header in self.headers:
            if header in used or header in found.values() or not header.strip():
                continue
            criterion_id, score, _ = match_heading(normalise(header), self.programme, category)
            if criterion_id and score >= CRITERION_MATCH and criterion_id not in found:
                found[criterion_id] = header
        ordered = [(c.id, found[c.id]) for c in category.criteria if c.id in found]
        self._answers[category.id] = ordered
        return ordered
