"""Request and response bodies that belong to the API alone.

Reviews, evidence, turns and conversations are the library's own models, returned as they are;
these are the envelopes around them. Limits live on the fields so that /docs shows them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.chat.models import Conversation
from assistant.eligibility import Entrant
from assistant.packs import Category, ScoringBand
from assistant.review import Evidence, ProgrammeRef
from assistant.taxonomy import EvidenceType

# A hard ceiling for any text field; the configured limit (limits.max_draft_chars) is usually lower.
TEXT_CEILING = 2_000_000

SAMPLE_DRAFT = (
    "## Ambition\n\nIn 2022/23 the median length of stay for patients over 75 was 9.4 days, against a regional "
    "median of 7.1 days.\n\n## Impact\n\nMedian length of stay for the cohort fell from 9.4 days to 5.2 days.\n"
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- health and packs ------------------------------------------------------------------------
class Health(_Body):
    status: Literal["ok"] = "ok"
    version: str
    embedding_model: str
    llm: str
    knowledge_hash: str
    programmes: int
    chat_mode: str = Field(description="'templates' (no LLM) or 'llm:<model>'")
    database: str = Field(description="'sqlite' or 'postgresql': where conversations and batches live")
    reviews_running: int = Field(description="Heavy requests running now in this process")
    reviews_waiting: int = Field(description="Heavy requests waiting for a slot in this process")


class CriterionSummary(_Body):
    id: str
    title: str
    expects: list[EvidenceType]
    word_limit: int | None


class CategorySummary(_Body):
    id: str
    title: str
    criteria: list[CriterionSummary]


class ProgrammeSummary(_Body):
    """Same shape as ``shortlist packs list --json``, plus the word-counting rule."""

    id: str
    name: str
    year: int
    deadline: dt.date
    word_counting: Literal["all_words", "exclude_headings"]
    categories: list[CategorySummary]


class CategoryDetail(_Body):
    programme: ProgrammeRef
    deadline: dt.date
    word_counting: Literal["all_words", "exclude_headings"]
    category: Category = Field(description="The category with its criteria, questions and eligibility rules")
    scoring: list[ScoringBand] = Field(description="The programme's scoring matrix, lowest band first")


class EvidenceTypeInfo(_Body):
    id: EvidenceType
    label: str
    definition: str


# -- drafts, reviews, evidence ----------------------------------------------------------------
class ReviewRequest(_Body):
    text: str = Field(min_length=1, max_length=TEXT_CEILING, description="The draft (Markdown or plain text)")
    category: str = Field(min_length=1, max_length=200, description="Category id or title, or 'programme/category'")
    programme: str | None = Field(default=None, description="Programme id, if the category is ambiguous",
                                  max_length=200)
    examples: bool = Field(default=True, description="Retrieve exemplars for each gap (slower)")
    eligibility: bool = Field(
        default=False,
        description="Also run the category's eligibility rules over this review (the `eligibility` field); "
        "implied by `entrant`",
    )
    entrant: Entrant | None = Field(
        default=None,
        description="Who enters and with whom, for the entrant rules (sector, partners); in a multipart form, "
        "the same object as a JSON string",
    )
    hidden: list[str] = Field(
        default_factory=list, max_length=1000,
        description="Text the uploaded file hides from readers (hidden, white or tiny text); filled by the server "
        "from a .docx or .pdf upload",
    )

    @field_validator("entrant", mode="before")
    @classmethod
    def _entrant_from_form(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else None
            except json.JSONDecodeError as exc:
                raise ValueError(f"entrant is not a JSON object ({exc.msg})") from exc
        return value

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": SAMPLE_DRAFT, "category": "acute-innovation", "programme": "hsj-awards-2025"}]
        },
    )


class EvidenceRequest(_Body):
    text: str = Field(min_length=1, max_length=TEXT_CEILING, description="Any text; no criteria are applied")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"text": SAMPLE_DRAFT}]})


class EvidenceResult(_Body):
    evidence: list[Evidence]


class DraftText(_Body):
    name: str = Field(description="The uploaded file's name")
    kind: str = Field(description="'text', 'docx' or 'pdf'")
    text: str = Field(description="The text as reviews will see it; offsets in a review refer to it")
    characters: int


# -- conversations ----------------------------------------------------------------------------
class ConversationCreate(_Body):
    category: str | None = Field(default=None, description="Category id or title", max_length=200)
    programme: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, min_length=1, max_length=TEXT_CEILING,
                             description="The first draft version")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"category": "acute-innovation", "programme": "hsj-awards-2025", "text": SAMPLE_DRAFT}]
        },
    )


class ConversationCreated(Conversation):
    token: str = Field(description="The conversation's owner token, shown only now: send it as "
                                   "'Authorization: Bearer <token>' on every later request to this conversation")


class VersionCreate(_Body):
    text: str = Field(min_length=1, max_length=TEXT_CEILING, description="The new draft version")
    note: str = Field(default="", max_length=300, description="What changed, in a few words")

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"text": SAMPLE_DRAFT, "note": "added a testimonial"}]}
    )


class MessageCreate(_Body):
    content: str = Field(min_length=1, max_length=4_000, description="The entrant's question or request")

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"content": "What's missing in impact?"}]}
    )
