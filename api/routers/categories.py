"""GET /api/categories/{id}: one category with its judges' questions, limits, rules and scoring."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import AssistantDep
from api.errors import ERROR_RESPONSES
from api.schemas import CategoryDetail
from assistant.review import ProgrammeRef

router = APIRouter(prefix="/api/categories", tags=["categories"])


@router.get(
    "/{category_id:path}",
    summary="Show one category",
    responses={404: ERROR_RESPONSES[404]},
)
def get_category(
    assistant: AssistantDep,
    category_id: Annotated[str, Path(description="Category id or title, or 'programme/category'",
                                      examples=["hsj-awards-2025/acute-innovation"], max_length=200)],
    programme: Annotated[str | None, Query(description="Programme id, if the category is ambiguous",
                                           max_length=200)] = None,
) -> CategoryDetail:
    found_programme, category = assistant.resolve(category_id, programme)
    return CategoryDetail(
        programme=ProgrammeRef(id=found_programme.id, name=found_programme.name, year=found_programme.year),
        deadline=found_programme.deadline, word_counting=found_programme.word_counting,
        category=category, scoring=found_programme.scoring,
    )
