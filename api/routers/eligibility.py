"""POST /api/eligibility: check one entry against a category's eligibility rules (flag, don't reject)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AssistantDep
from api.errors import ERROR_RESPONSES
from assistant.eligibility import EntryInput, check_eligibility
from assistant.review import Eligibility

router = APIRouter(prefix="/api/eligibility", tags=["eligibility"])

EXAMPLE: dict[str, Any] = {
    "category": "acute-innovation",
    "programme": "hsj-awards-2025",
    "entry": {
        "id": "entry-1",
        "organisation": "Eastmoor General Hospital NHS Trust",
        "sector": "nhs_provider",
        "partners": ["Eastmoor Borough Council"],
        "partner_sectors": ["local_authority"],
        "text": "## Ambition\n\nIn 2022/23 the median length of stay was 9.4 days, against a regional median of "
        "7.1 days.\n\n## Impact\n\nMedian length of stay fell from 9.4 days to 5.2 days.",
    },
}


class EligibilityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    category: str = Field(min_length=1, max_length=200, description="Category id or title, or 'programme/category'")
    programme: str | None = Field(default=None, max_length=200, description="Programme id, if ambiguous")
    entry: EntryInput


@router.post("", summary="Check an entry's eligibility for a category", responses=ERROR_RESPONSES)
def check_entry(body: EligibilityRequest, assistant: AssistantDep) -> Eligibility:
    programme, category = assistant.resolve(body.category, body.programme)
    return check_eligibility(assistant, body.entry, programme, category)
