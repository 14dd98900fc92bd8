"""What changed between two reviews of the same entry (a redraft against its earlier version)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from assistant.review import Review
from assistant.taxonomy import EvidenceType


class CriterionChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    added: list[EvidenceType]
    lost: list[EvidenceType]
    now_missing: list[EvidenceType]
    band_before: str | None
    band_after: str | None
    band_moved: bool
    words_before: int
    words_after: int


class ReviewChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    criteria: list[CriterionChange]
    missing_before: int
    missing_after: int


def _types(items: list[EvidenceType]) -> list[EvidenceType]:
    return sorted(set(items))


def compare_reviews(before: Review, after: Review) -> ReviewChange:
    if before.category.id != after.category.id:
        raise ValueError("both reviews must be for the same category")
    changes = []
    for new in after.criteria:
        old = before.criterion(new.id)
        old_types = {e.type for e in old.evidence}
        new_types = {e.type for e in new.evidence}
        band_before = old.band.band if old.band else None
        band_after = new.band.band if new.band else None
        changes.append(
            CriterionChange(
                id=new.id,
                title=new.title,
                added=_types(list(new_types - old_types)),
                lost=_types(list(old_types - new_types)),
                now_missing=[m.type for m in new.missing],
                band_before=band_before,
                band_after=band_after,
                band_moved=band_before != band_after,
                words_before=old.word_count,
                words_after=new.word_count,
            )
        )
    return ReviewChange(
        category=after.category.id,
        criteria=changes,
        missing_before=before.missing_count,
        missing_after=after.missing_count,
    )
