"""GET /api/programmes: every criteria pack with its categories and criteria."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AssistantDep
from api.schemas import CategorySummary, CriterionSummary, ProgrammeSummary
from assistant.packs import Programme

router = APIRouter(prefix="/api/programmes", tags=["programmes"])


def summarise(programme: Programme) -> ProgrammeSummary:
    return ProgrammeSummary(
        id=programme.id, name=programme.name, year=programme.year, deadline=programme.deadline,
        word_counting=programme.word_counting,
        categories=[
            CategorySummary(
                id=category.id, title=category.title,
                criteria=[CriterionSummary(id=c.id, title=c.title, expects=list(c.expects), word_limit=c.word_limit)
                          for c in category.criteria],
            )
            for category in programme.categories
        ],
    )


@router.get("", summary="List programmes, categories and criteria")
def list_programmes(assistant: AssistantDep) -> list[ProgrammeSummary]:
    return [summarise(programme) for programme in assistant.packs.programmes]
