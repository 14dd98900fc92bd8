"""POST /api/drafts: turn an uploaded document into the draft text that reviews and chat use."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile

from api.bodies import read_upload
from api.deps import AssistantDep
from api.errors import ERROR_RESPONSES
from api.schemas import DraftText

router = APIRouter(prefix="/api/drafts", tags=["drafts"])


@router.post("", summary="Extract the text of an uploaded draft", responses=ERROR_RESPONSES)
async def extract_draft(file: UploadFile, assistant: AssistantDep) -> DraftText:
    document = await read_upload(file, assistant)
    return DraftText(name=document.name, kind=document.kind, text=document.text, characters=len(document.text))
