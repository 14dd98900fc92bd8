"""GET /api/health: is the service up, and with which models and knowledge."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Request

from api.deps import AssistantDep, ChatDep
from api.schemas import Health

router = APIRouter(prefix="/api/health", tags=["health"])


def package_version() -> str:
    try:
        return version("shortlist")
    except PackageNotFoundError:
        return "0+unknown"


@router.get("", summary="Service status")
def health(request: Request, assistant: AssistantDep, chat: ChatDep) -> Health:
    gate = getattr(request.app.state, "review_gate", None)
    return Health(
        database=chat.store.database.dialect,
        reviews_running=gate.running if gate else 0,
        reviews_waiting=gate.waiting if gate else 0,
        version=package_version(),
        embedding_model=assistant.settings.embeddings.model,
        llm=assistant.settings.llm.model,
        knowledge_hash=assistant.knowledge_hash,
        programmes=len(assistant.packs.programmes),
        chat_mode=chat.mode,
    )
