"""The chat contract: conversations, their draft versions and turns, as the API returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

# What a message can ask (eval/datasets/messages/GUIDE.md defines each).
Intent = Literal[
    "missing_overall",
    "missing_criterion",
    "improve_criterion",
    "show_examples",
    "judges_look_for",
    "eligibility",
    "word_counts",
    "revise_section",
    "check_pasted",
    "criteria_question",
    "undo",
    "invent_request",
    "injection",
    "off_topic",
    "help",
]
INTENTS: tuple[Intent, ...] = get_args(Intent)
# What an answer can be: one of the intents, or a question back when the message could mean several.
AnswerIntent = Intent | Literal["clarify"]

CitationKind = Literal["draft", "message", "exemplar", "guidance", "criteria", "entry"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Model):
    kind: CitationKind
    ref: str = Field(description="Passage id, criterion id, or 'draft'")
    quote: str = Field(description="The words used: an exact draft substring or the passage text")
    start: int | None = Field(default=None, description="Offset of a draft quote in the version it came from")
    end: int | None = None
    source: str = Field(description="Human-readable source, e.g. 'your draft, version 2' or an exemplar's title")


class Choice(_Model):
    """A reply the entrant can pick instead of typing (the page shows it as a button)."""

    label: str
    message: str = Field(description="The message sent when the choice is picked")


class Turn(_Model):
    id: str
    role: Literal["user", "assistant"]
    content: str
    intent: str | None = None
    criterion: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list, description="Fallbacks, guard removals and other caveats")
    choices: list[Choice] = Field(default_factory=list, description="Replies offered as buttons")
    version: int | None = Field(default=None, description="The draft version this turn created, if any")
    created_at: datetime


class DraftVersion(_Model):
    number: int = Field(ge=1)
    text: str
    created_at: datetime
    note: str = ""


class Conversation(_Model):
    id: str
    programme: str | None = None
    category: str | None = None
    turns: list[Turn] = Field(default_factory=list)
    versions: list[DraftVersion] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime

    @property
    def latest(self) -> DraftVersion | None:
        return self.versions[-1] if self.versions else None


class ConversationSummary(_Model):
    """One row of a conversation listing, without turns or texts."""

    id: str
    programme: str | None
    category: str | None
    turns: int
    versions: int
    updated_at: datetime
