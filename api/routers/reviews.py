"""POST /api/reviews: the review contract, the same JSON as ``shortlist review --json``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.bodies import draft_body, openapi_body
from api.deps import AssistantDep
from api.errors import ERROR_RESPONSES
from api.schemas import ReviewRequest
from assistant.eligibility import Entrant
from assistant.review import Review

router = APIRouter(prefix="/api/reviews", tags=["reviews"])


@router.post(
    "",
    summary="Review a draft criterion by criterion",
    description="Send JSON with the draft `text`, or upload the draft as `file` (.txt, .md, .docx, .pdf) in a "
    "multipart form with the same other fields. Evidence offsets refer to the text as given (or as parsed "
    "from the upload; `POST /api/drafts` returns that text).",
    responses=ERROR_RESPONSES,
    openapi_extra=openapi_body(ReviewRequest),
)
def create_review(
    request: Annotated[ReviewRequest, Depends(draft_body(ReviewRequest))], assistant: AssistantDep
) -> Review:
    entrant = request.entrant or (Entrant() if request.eligibility else None)
    return assistant.review(
        request.text, request.category, programme=request.programme, examples=request.examples, entrant=entrant,
        hidden=request.hidden,
    )
