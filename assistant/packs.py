"""Criteria packs: one YAML file per programme edition, validated on load.

A pack says what the judges ask (criteria and their questions), what a strong answer carries
(``expects``, in the evidence taxonomy), who may enter (declarative eligibility rules) and how
answers are scored (an optional scoring matrix). Errors name the file and the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import ConfigError, InvalidInput, NotFound
from assistant.taxonomy import EvidenceType

Sector = Literal[
    "nhs_provider",
    "nhs_commissioner",
    "integrated_care",
    "primary_care",
    "public_sector",
    "local_authority",
    "third_sector",
    "social_care",
    "academic",
    "private",
]

SECTORS: tuple[str, ...] = Sector.__args__  # type: ignore[attr-defined]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Stable id used in reviews and exemplars")
    title: str = Field(min_length=1)
    questions: list[str] = Field(min_length=1, description="The judges' questions, in our own words")
    expects: list[EvidenceType] = Field(description="Evidence types a strong answer carries")
    word_limit: int | None = Field(default=None, gt=0)
    aliases: list[str] = Field(default_factory=list, description="Variant headings entrants use for it")

    @property
    def asks_for_starting_point(self) -> bool:
        """Ambition, Context, The challenge and aims: a baseline is expected, results are not, so a
        figure stated here describes where the work began (DESIGN.md hard cases)."""
        return "baseline" in self.expects and "metric" not in self.expects

    @property
    def asks_for_results(self) -> bool:
        """Outcomes, Measurement, Impact, Value: results are expected, so a lone figure is a result."""
        return "metric" in self.expects


class EligibilityRules(_Frozen):
    allowed_entrant_sectors: list[Sector] | None = Field(
        default=None, description="Sectors any entrant organisation may belong to; None allows all"
    )
    primary_entrant_sectors: list[Sector] | None = Field(
        default=None, description="Sectors the lead (primary) entrant must belong to"
    )
    required_partner_sectors: list[Sector] | None = Field(
        default=None, description="At least one named partner must belong to one of these sectors"
    )
    evidence_window_months: int | None = Field(
        default=None, gt=0, description="Results must fall within this many months before the deadline"
    )
    required_criteria: list[str] | None = Field(
        default=None, description="Criteria that must be answered with substance; None means all"
    )
    required_evidence: list[EvidenceType] = Field(
        default_factory=list, description="Evidence the whole entry must show (e.g. patient_involvement)"
    )
    min_words_per_criterion: int = Field(default=40, ge=0)
    word_limits_strict: bool = Field(default=False, description="True when over-limit answers are ineligible")
    notes: str = ""


class Category(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list, description="Topic words for category fit")
    overlaps: list[str] = Field(
        default_factory=list,
        description="Categories an entry may fit as well as this one (a theme open to any setting); "
        "category fit never suggests them in its place. Either side may declare it.",
    )
    eligibility: EligibilityRules = Field(default_factory=EligibilityRules)
    criteria: list[Criterion] = Field(default_factory=list, description="Overrides the programme's criteria")

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise NotFound(f"Category '{self.id}' has no criterion '{criterion_id}'.")


class ScoringBand(_Frozen):
    band: str = Field(min_length=1, description="Band label as the programme prints it, e.g. '3'")
    descriptor: str = Field(min_length=1)
    min_coverage: float = Field(ge=0, le=1, description="Share of expected evidence a criterion needs")
    requires: list[EvidenceType] = Field(default_factory=list, description="Evidence the band cannot lack")


class CrosswalkEntry(_Frozen):
    criterion: str = Field(description="Criterion id in this edition")
    equivalents: list[str] = Field(min_length=1, description="Names of the same criterion in other editions")


class Programme(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)
    organiser: str = ""
    deadline: dt.date
    word_counting: Literal["all_words", "exclude_headings"] = Field(
        default="exclude_headings", description="How the programme counts words in an answer"
    )
    source_note: str = Field(default="", description="Where the facts in this pack come from")
    criteria: list[Criterion] = Field(default_factory=list, description="Default criteria for categories")
    categories: list[Category] = Field(min_length=1)
    scoring: list[ScoringBand] = Field(default_factory=list, description="Lowest band first")
    crosswalk: list[CrosswalkEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _resolve_category_criteria(self) -> Programme:
        resolved = []
        for category in self.categories:
            criteria = category.criteria or self.criteria
            if not criteria:
                raise ValueError(f"category '{category.id}' has no criteria and the programme has none")
            _check_unique([c.id for c in criteria], f"criterion ids in category '{category.id}'")
            required = category.eligibility.required_criteria or []
            unknown = sorted(set(required) - {c.id for c in criteria})
            if unknown:
                raise ValueError(f"category '{category.id}' requires unknown criteria {unknown}")
            resolved.append(category.model_copy(update={"criteria": criteria}))
        _check_unique([c.id for c in resolved], "category ids")
        ids = {c.id for c in resolved}
        for category in resolved:
            unknown = sorted(set(category.overlaps) - ids)
            if unknown or category.id in category.overlaps:
                raise ValueError(f"category '{category.id}' overlaps unknown or itself: {unknown or [category.id]}")
        coverages = [band.min_coverage for band in self.scoring]
        if coverages != sorted(coverages):
            raise ValueError("scoring bands must be listed lowest first (min_coverage ascending)")
        object.__setattr__(self, "categories", resolved)
        return self

    def category(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id or category.title.casefold() == category_id.casefold():
                return category
        raise NotFound(f"Programme '{self.id}' has no category '{category_id}'.")

    def overlapping(self, first: str, second: str) -> bool:
        """Whether an entry may belong to both categories (either declared the other in ``overlaps``)."""
        a, b = self.category(first), self.category(second)
        return b.id in a.overlaps or a.id in b.overlaps

    def equivalents(self, criterion_id: str) -> list[str]:
        return [name for entry in self.crosswalk if entry.criterion == criterion_id for name in entry.equivalents]


def _check_unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {what}: '{item}'")
        seen.add(item)


def format_validation_error(path: Path, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]) or "(top level)"
        problems.append(f"{path}: {location}: {error['msg']}")
    return "; ".join(problems)


def load_programme(path: Path) -> Programme:
    """Load and validate one pack; every problem is reported as 'file: field.path: message'."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise NotFound(f"{path}: no such pack file.") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}).") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: (top level): a pack must be a mapping of fields.")
    try:
        return Programme.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc)) from exc


def _has_category(programme: Programme, ref: str) -> bool:
    try:
        programme.category(ref)
    except NotFound:
        return False
    return True


class PackLibrary:
    """Every programme in a folder, looked up by id; category ids may be bare when unique."""

    def __init__(self, programmes: list[Programme]) -> None:
        self.programmes = sorted(programmes, key=lambda p: (p.name, p.year))
        ids = [p.id for p in programmes]
        _dup = {i for i in ids if ids.count(i) > 1}
        if _dup:
            raise ConfigError(f"Two packs share the programme id(s) {sorted(_dup)}.")

    @classmethod
    def from_dir(cls, directory: Path) -> PackLibrary:
        if not directory.is_dir():
            raise ConfigError(f"{directory}: the programmes folder does not exist.")
        files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
        return cls([load_programme(path) for path in files])

    def programme(self, programme_id: str) -> Programme:
        for programme in self.programmes:
            if programme.id == programme_id:
                return programme
        known = ", ".join(p.id for p in self.programmes)
        raise NotFound(f"No programme '{programme_id}'. Known programmes: {known}.")

    def infer_programme(self, categories: Iterable[str]) -> Programme:
        """The one programme that has every category named (by id or title); otherwise say which could."""
        named = sorted({c for c in categories if c})
        if not named:
            raise InvalidInput("The batch names no categories, so the programme cannot be inferred; pass --programme.")
        fits = [p for p in self.programmes if all(_has_category(p, c) for c in named)]
        if len(fits) == 1:
            return fits[0]
        if fits:
            raise InvalidInput(
                f"The categories fit several programmes: {', '.join(p.id for p in fits)}; pass --programme ID."
            )
        partial = [p.id for p in self.programmes if any(_has_category(p, c) for c in named)]
        hint = f" Programmes with some of them: {', '.join(partial)}." if partial else ""
        raise InvalidInput(
            f"No programme has all the categories named ({', '.join(named[:6])}{'…' if len(named) > 6 else ''})."
            f"{hint} Pass --programme ID (see 'shortlist packs list')."
        )

    def find_category(self, ref: str, programme_id: str | None = None) -> tuple[Programme, Category]:
        """Resolve 'programme/category', a bare category id or title, optionally within one programme."""
        if "/" in ref and programme_id is None:
            programme_id, ref = ref.split("/", 1)
        candidates = [self.programme(programme_id)] if programme_id else self.programmes
        matches = []
        for programme in candidates:
            try:
                matches.append((programme, programme.category(ref)))
            except NotFound:
                continue
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFound(f"No category '{ref}'. Run 'shortlist packs list' to see the category ids.")
        names = ", ".join(f"{p.id}/{c.id}" for p, c in matches)
        raise NotFound(f"Category '{ref}' is ambiguous; name one of: {names}.")
