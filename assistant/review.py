"""The review contract: what ``shortlist review --json`` and ``POST /api/reviews`` return."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.taxonomy import EvidenceType


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Model):
    type: EvidenceType
    quote: str = Field(description="Exact substring of the draft")
    start: int = Field(ge=0, description="Character offset of the quote in the draft as given")
    end: int = Field(ge=0)
    confidence: float = Field(ge=0, le=1)


class TextSpan(_Model):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Example(_Model):
    passage_id: str
    text: str
    source: str
    criterion: str
    score: float = Field(description="Similarity to the draft, 0–1")


class Missing(_Model):
    type: EvidenceType
    why: str
    suggestion: str = Field(description="Concrete next step; placeholders in [brackets], never invented data")
    anchor: Evidence | None = Field(default=None, description="The draft sentence the suggestion builds on")
    examples: list[Example] = Field(default_factory=list)


class SectionInfo(_Model):
    heading: str | None
    start: int
    end: int
    method: Literal["heading", "heading_variant", "heading_meaning", "content"]
    confidence: float


class Band(_Model):
    band: str
    descriptor: str
    coverage: float = Field(description="Share of the criterion's expected evidence found")


class CriterionReview(_Model):
    id: str
    title: str
    questions: list[str]
    expects: list[EvidenceType]
    section_found: bool
    sections: list[SectionInfo] = Field(default_factory=list)
    word_count: int
    word_limit: int | None
    over_limit: bool
    evidence: list[Evidence]
    missing: list[Missing]
    unsupported_claims: list[Evidence]
    band: Band | None


class Warning(_Model):
    kind: Literal["pii", "ai_instruction", "over_limit", "unassigned_text", "low_confidence_section"]
    message: str
    quote: str = ""
    start: int | None = None
    end: int | None = None
    criterion: str | None = None


class RuleResult(_Model):
    rule: str
    status: Literal["pass", "fail", "needs_review"]
    reason: str
    quotes: list[str] = Field(default_factory=list)


class Eligibility(_Model):
    verdict: Literal["eligible", "ineligible", "needs_review"]
    rules: list[RuleResult]


class ProgrammeRef(_Model):
    id: str
    name: str
    year: int


class CategoryRef(_Model):
    id: str
    title: str


class ReviewMeta(_Model):
    embedding_model: str
    detection: str
    knowledge_hash: str
    elapsed_ms: float


class Review(_Model):
    programme: ProgrammeRef
    category: CategoryRef
    word_counting: str
    criteria: list[CriterionReview]
    unassigned: list[TextSpan] = Field(default_factory=list, description="Text that answers no criterion")
    warnings: list[Warning]
    eligibility: Eligibility | None = Field(
        default=None, description="The category's eligibility rules over this review, when asked for (an entrant given)"
    )
    meta: ReviewMeta

    def criterion(self, criterion_id: str) -> CriterionReview:
        for item in self.criteria:
            if item.id == criterion_id:
                return item
        raise KeyError(criterion_id)

    @property
    def missing_count(self) -> int:
        return sum(len(c.missing) for c in self.criteria)
