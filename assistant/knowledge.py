"""Knowledge files (exemplars, guidance, the labelled evidence bank) and the passages cut from them.

Everything is validated on load with ``extra="forbid"``; errors name the file, line and field.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ConfigError
from assistant.packs import PackLibrary, Programme
from assistant.taxonomy import EvidenceType

PassageKind = Literal["criterion", "exemplar", "guidance", "evidence", "entry"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExemplarParagraph(_Strict):
    criterion: str
    evidence: list[EvidenceType] = Field(default_factory=list)
    text: str = Field(min_length=20)


class Exemplar(_Strict):
    id: str = Field(pattern=r"^ex-[a-z0-9-]+$")
    title: str
    organisation: str
    partners: list[str] = Field(default_factory=list)
    illustrative: bool
    programme: str
    category: str
    summary: str
    paragraphs: list[ExemplarParagraph] = Field(min_length=1)


class GuidanceFrontMatter(_Strict):
    id: str = Field(pattern=r"^guide-[a-z0-9-]+$")
    title: str
    evidence_types: list[EvidenceType] = Field(default_factory=list)


class BankSentence(_Strict):
    id: str
    text: str = Field(min_length=3)
    labels: list[EvidenceType]
    negative_for: list[EvidenceType] = Field(default_factory=list)


class RealSentence(_Strict):
    text: str = Field(min_length=1)
    labels: list[EvidenceType]


Licence = Literal["OGL-3.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-3.0", "CC-BY-NC-4.0", "CC-BY-NC-3.0", "unstated"]


class RealText(_Strict):
    """A labelled excerpt of real improvement writing (see docs/corpus.md), with its provenance."""

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    sentences: list[RealSentence] = Field(min_length=1)
    source: str = Field(pattern=r"^https?://")
    publisher: str = Field(min_length=1)
    licence: Licence
    retrieved: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    kind: Literal["award-writeup", "case-study", "qi-report", "evaluation-report", "news", "programme-page"]
    group: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = ""

    def spans(self) -> list[tuple[int, int]]:
        """Offsets of each labelled sentence in ``text`` (each found after the previous one)."""
        spans: list[tuple[int, int]] = []
        cursor = 0
        for index, sentence in enumerate(self.sentences):
            start = self.text.find(sentence.text, cursor)
            if start < 0:
                raise ValueError(f"sentences.{index}.text: not found in text after the previous sentence")
            spans.append((start, start + len(sentence.text)))
            cursor = start + len(sentence.text)
        return spans


class Passage(_Strict):
    """A retrievable piece of knowledge with the metadata used to filter it."""

    id: str
    kind: PassageKind
    text: str
    source: str = Field(description="Human-readable source, e.g. the exemplar's title and organisation")
    source_file: str = ""
    programme: str = ""
    category: str = ""
    criterion: str = ""
    evidence: tuple[EvidenceType, ...] = ()

    @property
    def content_hash(self) -> str:
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()


def _errors(path: Path, exc: ValidationError, line: int | None = None) -> str:
    where = f"{path}:{line}" if line else str(path)
    return "; ".join(
        f"{where}: {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors()
    )


def load_exemplar(path: Path) -> Exemplar:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Exemplar.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}).") from exc
    except ValidationError as exc:
        raise ConfigError(_errors(path, exc)) from exc


_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)


def load_guidance(path: Path) -> tuple[GuidanceFrontMatter, list[str]]:
    text = path.read_text(encoding="utf-8")
    match = _FRONT.match(text)
    if not match:
        raise ConfigError(f"{path}: guidance must start with a '---' front matter block (id, title, evidence_types).")
    try:
        front = GuidanceFrontMatter.model_validate(yaml.safe_load(match.group(1)))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: front matter is not valid YAML ({exc}).") from exc
    except ValidationError as exc:
        raise ConfigError(_errors(path, exc)) from exc
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", match.group(2)) if p.strip()]
    return front, [p for p in paragraphs if not p.startswith("#") or "\n" in p]


def _jsonl_lines(paths: Iterable[Path]) -> Iterable[tuple[Path, int, str]]:
    """(file, line number, line) for every non-blank line of the JSONL files, in order."""
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                yield path, number, line


def load_bank(directory: Path) -> list[BankSentence]:
    sentences: list[BankSentence] = []
    seen: set[str] = set()
    for path, number, line in _jsonl_lines(sorted(directory.glob("*.jsonl"))):
        try:
            record = BankSentence.model_validate_json(line)
        except ValidationError as exc:
            raise ConfigError(_errors(path, exc, number)) from exc
        if record.id in seen:
            raise ConfigError(f"{path}:{number}: id: duplicate sentence id '{record.id}'")
        seen.add(record.id)
        sentences.append(record)
    return sentences


def load_real_texts(directory: Path) -> list[RealText]:
    """The real-text training split (every JSONL file in the folder)."""
    return read_real_texts(sorted(directory.glob("*.jsonl")))


def read_real_texts(paths: Iterable[Path]) -> list[RealText]:
    """Real-text records from JSONL files; a record whose sentences do not line up is an error naming it."""
    texts: list[RealText] = []
    for path, number, line in _jsonl_lines(paths):
        try:
            record = RealText.model_validate_json(line)
            record.spans()
        except ValidationError as exc:
            raise ConfigError(_errors(path, exc, number)) from exc
        except ValueError as exc:
            raise ConfigError(f"{path}:{number}: {exc}") from exc
        texts.append(record)
    return texts


@dataclass(frozen=True)
class Knowledge:
    """All knowledge files, validated, and checked against the packs they refer to."""

    packs: PackLibrary
    exemplars: tuple[Exemplar, ...]
    guidance: tuple[tuple[GuidanceFrontMatter, tuple[str, ...]], ...]
    bank: tuple[BankSentence, ...]
    root: Path
    real: tuple[RealText, ...] = ()
    _passages: dict[PassageKind, list[Passage]] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, root: Path) -> Knowledge:
        packs = PackLibrary.from_dir(root / "programmes")
        exemplars = tuple(load_exemplar(p) for p in sorted((root / "exemplars").glob("*.yaml")))
        for path, exemplar in zip(sorted((root / "exemplars").glob("*.yaml")), exemplars, strict=True):
            _check_exemplar(path, exemplar, packs)
        guidance = tuple(
            (front, tuple(paragraphs))
            for front, paragraphs in (load_guidance(p) for p in sorted((root / "guidance").glob("*.md")))
        )
        bank = tuple(load_bank(root / "evidence"))
        real = tuple(load_real_texts(root / "evidence" / "real"))
        return cls(packs=packs, exemplars=exemplars, guidance=guidance, bank=bank, root=root, real=real)

    def passages(self) -> dict[PassageKind, list[Passage]]:
        """Cut once per load: ingest, its progress bar, chat and eval all ask for them."""
        if self._passages is None:
            object.__setattr__(
                self,
                "_passages",
                {
                    "criterion": list(criterion_passages(self.packs.programmes)),
                    "exemplar": list(exemplar_passages(self.exemplars)),
                    "guidance": list(guidance_passages(self.guidance)),
                    "evidence": list(bank_passages(self.bank)),
                },
            )
        assert self._passages is not None
        return self._passages


def _check_exemplar(path: Path, exemplar: Exemplar, packs: PackLibrary) -> None:
    if path.stem != exemplar.id:
        raise ConfigError(f"{path}: id: '{exemplar.id}' must equal the file name '{path.stem}'.")
    try:
        programme = packs.programme(exemplar.programme)
        category = programme.category(exemplar.category)
    except Exception as exc:
        raise ConfigError(f"{path}: programme/category: {exc}") from exc
    known = {c.id for c in category.criteria}
    for index, paragraph in enumerate(exemplar.paragraphs):
        if paragraph.criterion not in known:
            raise ConfigError(
                f"{path}: paragraphs.{index}.criterion: '{paragraph.criterion}' is not a criterion of "
                f"{programme.id}/{category.id} ({', '.join(sorted(known))})."
            )


def criterion_passages(programmes: Iterable[Programme]) -> Iterable[Passage]:
    for programme in programmes:
        for category in programme.categories:
            for criterion in category.criteria:
                text = f"{criterion.title}. " + " ".join(criterion.questions)
                yield Passage(
                    id=f"{programme.id}/{category.id}/{criterion.id}",
                    kind="criterion",
                    text=text,
                    source=f"{programme.name} {programme.year} — {category.title}: {criterion.title}",
                    programme=programme.id,
                    category=category.id,
                    criterion=criterion.id,
                    evidence=tuple(criterion.expects),
                )


def exemplar_passages(exemplars: Iterable[Exemplar]) -> Iterable[Passage]:
    for exemplar in exemplars:
        for index, paragraph in enumerate(exemplar.paragraphs, start=1):
            yield Passage(
                id=f"{exemplar.id}#p{index}",
                kind="exemplar",
                text=paragraph.text.strip(),
                source=f"{exemplar.title} — {exemplar.organisation} (illustrative)",
                source_file=f"exemplars/{exemplar.id}.yaml",
                programme=exemplar.programme,
                category=exemplar.category,
                criterion=paragraph.criterion,
                evidence=tuple(paragraph.evidence),
            )


def guidance_passages(guidance: Iterable[tuple[GuidanceFrontMatter, tuple[str, ...]]]) -> Iterable[Passage]:
    for front, paragraphs in guidance:
        for index, paragraph in enumerate(paragraphs, start=1):
            yield Passage(
                id=f"{front.id}#p{index}",
                kind="guidance",
                text=paragraph,
                source=front.title,
                source_file=f"guidance/{front.id}.md",
                evidence=tuple(front.evidence_types),
            )


def bank_passages(bank: Iterable[BankSentence]) -> Iterable[Passage]:
    for sentence in bank:
        yield Passage(
            id=sentence.id,
            kind="evidence",
            text=sentence.text,
            source="Shortlist evidence bank",
            evidence=tuple(sentence.labels),
        )
