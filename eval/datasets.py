"""Evaluation dataset records (DESIGN.md "Evaluation dataset formats"), validated line by line.

Every record model forbids unknown fields, so a typo is an error rather than a silently ignored
key. A malformed file raises ``InvalidInput`` naming ``file:line: field: problem``. Lines that are
blank or start with ``#`` or ``//`` are comments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import InvalidInput
from assistant.taxonomy import EvidenceType

SuiteName = Literal["evidence_real", "evidence", "sections", "review", "retrieval", "eligibility", "chat", "messages"]
SUITE_NAMES: tuple[SuiteName, ...] = (
    "evidence_real", "evidence", "sections", "review", "retrieval", "eligibility", "chat", "messages"
)
# `--suite evidence` measures detection on both dev sets: real text first, then the team-written gold.
SUITE_GROUPS: dict[str, tuple[SuiteName, ...]] = {"evidence": ("evidence_real", "evidence")}


class _Record(BaseModel):
    """Known fields are validated; unknown top-level fields (source, programme, licence, ...) are kept
    as metadata, because every real labelled file carries some, and can slice a report."""

    model_config = ConfigDict(extra="allow", frozen=True)

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class _Part(BaseModel):
    """A nested part of a record: here an unknown field is a typo, so it is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# -- evidence gold -------------------------------------------------------------------------------
class GoldSentence(_Part):
    text: str = Field(min_length=1)
    labels: list[EvidenceType]


class EvidenceRecord(_Record):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    sentences: list[GoldSentence] = Field(min_length=1)

    @model_validator(mode="after")
    def _sentences_in_order(self) -> EvidenceRecord:
        sentence_spans(self.text, [s.text for s in self.sentences], field="sentences")
        return self

    def spans(self) -> list[tuple[int, int]]:
        return sentence_spans(self.text, [s.text for s in self.sentences], field="sentences")


def sentence_spans(text: str, pieces: list[str], *, field: str, ordered: bool = True) -> list[tuple[int, int]]:
    """Offsets of each piece, searched after the previous one (or anywhere when not ``ordered``)."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for index, piece in enumerate(pieces):
        start = text.find(piece, cursor)
        if start < 0 and not ordered:
            start = text.find(piece)
        if start < 0:
            where = "not an exact substring of text" if piece not in text else "found only before the previous one"
            raise ValueError(f"{field}.{index}.text: {where}: {piece[:60]!r}")
        spans.append((start, start + len(piece)))
        cursor = start + len(piece)
    return spans


# -- drafts with planted gaps --------------------------------------------------------------------
class DraftSection(_Part):
    criterion: str = Field(min_length=1)
    heading: str | None = None
    text: str = Field(min_length=1)


class DraftRecord(_Record):
    id: str = Field(min_length=1)
    programme: str = Field(min_length=1)
    category: str = Field(min_length=1)
    headings: Literal["exact", "variant", "none"]
    text: str = Field(min_length=1)
    sections: list[DraftSection]
    present: dict[str, list[EvidenceType]]

    @model_validator(mode="after")
    def _sections_in_text(self) -> DraftRecord:
        self.spans()
        return self

    def spans(self) -> list[tuple[int, int]]:
        return sentence_spans(self.text, [s.text for s in self.sections], field="sections", ordered=False)


# -- eligibility ---------------------------------------------------------------------------------
RuleStatus = Literal["pass", "fail", "needs_review"]
Verdict = Literal["eligible", "ineligible", "needs_review"]


class EntryFields(_Part):
    """The ``EntryInput`` fields a case may set; the engine's own model validates values again."""

    id: str | None = None
    organisation: str = ""
    sector: str | None = None
    partners: list[str] = Field(default_factory=list)
    partner_sectors: list[str] = Field(default_factory=list)
    text: str = ""
    previous_entries: list[str] = Field(default_factory=list)
    deadline: dt.date | None = None
    other_categories: list[str] = Field(default_factory=list)


class EligibilityExpected(_Part):
    verdict: Verdict
    rules: dict[str, RuleStatus] = Field(default_factory=dict)


class EligibilityRecord(_Record):
    id: str = Field(min_length=1)
    programme: str = Field(min_length=1)
    category: str = Field(min_length=1)
    entry: EntryFields
    expected: EligibilityExpected


# -- chat ----------------------------------------------------------------------------------------
class MustMention(_Part):
    criteria: list[str] = Field(default_factory=list)
    evidence: list[EvidenceType] = Field(default_factory=list)


CiteKind = Literal["draft", "exemplar", "guidance", "criteria"]


class ChatRecord(_Record):
    id: str = Field(min_length=1)
    programme: str | None = None
    category: str = Field(min_length=1)
    draft: str = ""
    request: str = Field(min_length=1)
    intent: str = Field(min_length=1)
    must_mention: MustMention = Field(default_factory=MustMention)
    must_quote: list[str] = Field(default_factory=list)
    must_cite: list[CiteKind] = Field(default_factory=list)


class PreviousTurn(_Part):
    intent: str
    criterion: str | None = None


class MessageRecord(_Record):
    """One labelled chat message (eval/datasets/messages/GUIDE.md): what it asks, in order."""

    id: str = Field(min_length=1)
    programme: str = Field(min_length=1)
    category: str = Field(min_length=1)
    message: str = Field(min_length=1)
    intents: list[str] = Field(min_length=1, max_length=2)
    criterion: str | None = None
    evidence_type: EvidenceType | None = None
    previous: PreviousTurn | None = None


# -- retrieval -----------------------------------------------------------------------------------
class RetrievalFilters(_Part):
    programme: str | None = None
    category: str | None = None
    criterion: str | None = None
    evidence: EvidenceType | None = None

    def as_kwargs(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v}


class RetrievalRecord(_Record):
    id: str = Field(min_length=1)
    query: str = Field(min_length=3)
    kind: Literal["exemplar", "guidance"]
    filters: RetrievalFilters = Field(default_factory=RetrievalFilters)
    relevant: list[str] = Field(min_length=1)


RECORDS: dict[SuiteName, type[_Record]] = {
    "evidence_real": EvidenceRecord,
    "evidence": EvidenceRecord,
    "sections": DraftRecord,
    "review": DraftRecord,
    "retrieval": RetrievalRecord,
    "eligibility": EligibilityRecord,
    "chat": ChatRecord,
    "messages": MessageRecord,
}

DEFAULT_FILES: dict[SuiteName, str] = {
    "evidence_real": "real/dev.jsonl",
    "evidence": "evidence_gold.jsonl",
    "sections": "drafts.jsonl",
    "review": "drafts.jsonl",
    "retrieval": "retrieval.jsonl",
    "eligibility": "eligibility.jsonl",
    "chat": "chat.jsonl",
    "messages": "messages/test.jsonl",
}

R = TypeVar("R", bound=_Record)


def _lines(path: Path) -> list[tuple[int, str]]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InvalidInput(f"{path}: no such dataset file.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot be read as UTF-8 text ({exc}).") from exc
    return [
        (number, line) for number, line in enumerate(raw.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith(("#", "//"))
    ]


def _parse(path: Path, number: int, line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{number}: (line): not valid JSON ({exc.msg} at column {exc.colno}).") from exc
    if not isinstance(value, dict):
        raise InvalidInput(f"{path}:{number}: (top level): each line must be one JSON object.")
    return value


def _describe(path: Path, number: int, exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    location = ".".join(str(part) for part in first["loc"]) or "(record)"
    message = first["msg"].removeprefix("Value error, ")
    if ": " in message and not first["loc"]:
        location, _, message = message.partition(": ")  # our validators name the field themselves
    more = f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)} on this line)" if len(errors) > 1 else ""
    return f"{path}:{number}: {location}: {message}{more}"


def load_records(path: Path, model: type[R]) -> list[tuple[int, R]]:
    """Records with their line numbers; the first problem raises InvalidInput naming line and field."""
    records: list[tuple[int, R]] = []
    seen: dict[str, int] = {}
    for number, line in _lines(path):
        try:
            record = model.model_validate(_parse(path, number, line))
        except ValidationError as exc:
            raise InvalidInput(_describe(path, number, exc)) from exc
        record_id = getattr(record, "id", None)
        if isinstance(record_id, str):
            if record_id in seen:
                raise InvalidInput(f"{path}:{number}: id: '{record_id}' repeats the record on line {seen[record_id]}.")
            seen[record_id] = number
        records.append((number, record))
    if not records:
        raise InvalidInput(f"{path}: holds no records.")
    return records


def sniff_suites(path: Path) -> list[SuiteName]:
    """Which suites a file feeds, judged from the fields of its first record."""
    lines = _lines(path)
    if not lines:
        raise InvalidInput(f"{path}: holds no records.")
    number, line = lines[0]
    keys = set(_parse(path, number, line))
    if "sentences" in keys:
        return ["evidence"]
    if "sections" in keys or "present" in keys:
        return ["sections", "review"]
    if "entry" in keys:
        return ["eligibility"]
    if "request" in keys:
        return ["chat"]
    if "message" in keys and "intents" in keys:
        return ["messages"]
    if "query" in keys or "relevant" in keys:
        return ["retrieval"]
    raise InvalidInput(
        f"{path}:{number}: (record): cannot tell which suite this file is for; evidence records have "
        "'sentences', drafts 'sections' and 'present', eligibility cases 'entry', chat cases 'request', "
        "chat messages 'message' and 'intents', retrieval queries 'query' and 'relevant'. Pass --suite to choose."
    )


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
