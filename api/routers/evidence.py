"""POST /api/evidence: evidence detection alone over a whole text; GET the taxonomy it uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.bodies import draft_body, openapi_body
from api.deps import AssistantDep
from api.errors import ERROR_RESPONSES
from api.schemas import EvidenceRequest, EvidenceResult, EvidenceTypeInfo
from assistant.taxonomy import DEFINITIONS, EVIDENCE_TYPES, LABELS

router = APIRouter(prefix="/api/evidence", tags=["evidence"])


@router.post(
    "",
    summary="Detect evidence in a text (no criteria)",
    responses=ERROR_RESPONSES,
    openapi_extra=openapi_body(EvidenceRequest),
)
def detect_evidence(
    request: Annotated[EvidenceRequest, Depends(draft_body(EvidenceRequest))], assistant: AssistantDep
) -> EvidenceResult:
    return EvidenceResult(evidence=assistant.evidence(request.text))


@router.get("/types", summary="The evidence taxonomy: ids, labels and definitions")
def evidence_types() -> list[EvidenceTypeInfo]:
    return [EvidenceTypeInfo(id=t, label=LABELS[t], definition=DEFINITIONS[t]) for t in EVIDENCE_TYPES]
