"""What a batch is made of: items read from the input, and the report the checks produce."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict, Field

from assistant.eligibility import RULE_IDS, Verdict
from assistant.review import RuleResult

INPUT_RULE = "input"


class BatchItem(BaseModel):
    """One entry as read from the input, before its document is parsed (parsing happens in a worker)."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(ge=0, description="Position in the input; the report keeps this order")
    id: str
    source: str = Field(description="File name or spreadsheet row, for people to find it")
    category: str = Field(description="Category id or title as the organiser gave it")
    organisation: str = ""
    sector: str = ""
    partners: list[str] = Field(default_factory=list)
    partner_sectors: list[str] = Field(default_factory=list)
    deadline: str = ""
    other_categories: list[str] = Field(default_factory=list)
    file_name: str | None = None
    data: bytes | None = None
    text: str | None = None
    error: str | None = Field(default=None, description="Why the entry could not be read, if it could not")


class EntryReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    category: str
    source: str
    verdict: Verdict
    rules: list[RuleResult]

    def rule(self, rule_id: str) -> RuleResult | None:
        return next((r for r in self.rules if r.rule == rule_id), None)


class RuleSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    passed: int = 0
    needs_review: int = 0
    failed: int = 0


class BatchSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    total: int
    eligible: int
    ineligible: int
    needs_review: int
    rules: list[RuleSummary]


class BatchReport(BaseModel):
    """The JSON report: ``{"programme", "summary", "entries": [{"id", "verdict", "rules": [...]}]}``."""

    model_config = ConfigDict(extra="forbid")

    programme: str
    programme_name: str = ""
    summary: BatchSummary
    entries: list[EntryReport]

    @classmethod
    def build(cls, programme_id: str, programme_name: str, entries: list[EntryReport]) -> BatchReport:
        verdicts = Counter(e.verdict for e in entries)
        rule_ids = [*RULE_IDS] + ([INPUT_RULE] if any(e.rule(INPUT_RULE) for e in entries) else [])
        summaries = []
        for rule_id in rule_ids:
            statuses = Counter(r.status for e in entries for r in e.rules if r.rule == rule_id)
            summaries.append(
                RuleSummary(
                    rule=rule_id, passed=statuses["pass"], needs_review=statuses["needs_review"],
                    failed=statuses["fail"],
                )
            )
        summary = BatchSummary(
            total=len(entries), eligible=verdicts["eligible"], ineligible=verdicts["ineligible"],
            needs_review=verdicts["needs_review"], rules=summaries,
        )
        return cls(programme=programme_id, programme_name=programme_name, summary=summary, entries=entries)
