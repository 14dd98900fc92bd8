"""Conversations: create one with a draft, read it back, add draft versions, ask questions, delete it.

Creating a conversation returns its owner token once; every other route needs it as
``Authorization: Bearer <token>`` and answers 404 without it (see ``api.security``).

A message is answered as JSON, or as Server-Sent Events when the client sends
``Accept: text/event-stream``: ``delta`` events carry text as it is produced, then one ``turn``
event carries the finished turn with its citations (or an ``error`` event with detail and code).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.sse import EventSourceResponse, format_sse_event

from api.bodies import draft_body, openapi_body
from api.deps import ChatDep
from api.errors import ERROR_RESPONSES
from api.schemas import ConversationCreate, ConversationCreated, MessageCreate, VersionCreate
from api.security import ConversationId, OwnerOnly
from assistant.chat.models import Conversation, Turn
from assistant.errors import ShortlistError
from assistant.tokens import new_token

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/conversations", tags=["conversations"])
owned = APIRouter(prefix="/api/conversations", tags=["conversations"], dependencies=[OwnerOnly])


SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The assistant's turn as JSON, or with `Accept: text/event-stream` a stream of "
        "`delta` events (`{\"text\": ...}`) followed by one `turn` event (the Turn) or an `error` event "
        "(`{\"detail\", \"code\"}`).",
        "content": {"text/event-stream": {"schema": {"type": "string"},
                                          "example": 'event: delta\ndata: {"text": "Impact is missing "}\n\n'
                                                     'event: turn\ndata: {"id": "…", "role": "assistant", …}\n\n'}},
    }
}


def _wants_stream(accept: str | None) -> bool:
    return accept is not None and "text/event-stream" in accept.lower()


def sse_stream(events: Iterable[tuple[str, Any]]) -> Iterator[bytes]:
    """Encode the engine's ('delta', str) / ('turn', Turn) events; errors end the stream as an event."""
    try:
        for kind, payload in events:
            if kind == "delta":
                yield format_sse_event(event="delta", data_str=json.dumps({"text": payload}))
            elif kind == "turn":
                yield format_sse_event(event="turn", data_str=payload.model_dump_json())
    except ShortlistError as exc:
        yield format_sse_event(event="error", data_str=json.dumps({"detail": exc.message, "code": exc.code}))
    except Exception:
        log.exception("Chat stream failed")
        error = {"detail": "The answer failed on the server; ask again.", "code": "internal_error"}
        yield format_sse_event(event="error", data_str=json.dumps(error))


@router.post(
    "",
    status_code=201,
    summary="Start a conversation, optionally with a first draft (JSON text or file upload); returns its token once",
    responses=ERROR_RESPONSES,
    openapi_extra=openapi_body(ConversationCreate),
)
def create_conversation(
    body: Annotated[ConversationCreate, Depends(draft_body(ConversationCreate))], chat: ChatDep
) -> ConversationCreated:
    token = new_token()
    conversation = chat.create(category=body.category, text=body.text, programme=body.programme, token=token)
    return ConversationCreated(**conversation.model_dump(), token=token)


@owned.get("/{conversation_id}", summary="A conversation with its turns and draft versions",
            responses={404: ERROR_RESPONSES[404]})
def get_conversation(conversation_id: ConversationId, chat: ChatDep) -> Conversation:
    return chat.get(conversation_id)


@owned.delete("/{conversation_id}", status_code=204, summary="Delete the conversation, its turns and its versions",
              responses={404: ERROR_RESPONSES[404]})
def delete_conversation(conversation_id: ConversationId, chat: ChatDep) -> None:
    chat.delete(conversation_id)


@owned.post(
    "/{conversation_id}/versions",
    status_code=201,
    summary="Add a new draft version (JSON text or file upload)",
    responses=ERROR_RESPONSES,
    openapi_extra=openapi_body(VersionCreate),
)
def add_version(
    conversation_id: ConversationId,
    body: Annotated[VersionCreate, Depends(draft_body(VersionCreate))],
    chat: ChatDep,
) -> Conversation:
    return chat.add_version(conversation_id, body.text, note=body.note)


@owned.post(
    "/{conversation_id}/undo",
    summary="Undo the latest draft change: the previous version's text is saved as a new version",
    responses=ERROR_RESPONSES,
)
def undo_version(conversation_id: ConversationId, chat: ChatDep) -> Conversation:
    return chat.undo(conversation_id)


@owned.post(
    "/{conversation_id}/messages",
    response_model=Turn,
    summary="Ask a question; the answer cites the draft and the knowledge base",
    responses={**ERROR_RESPONSES, **SSE_RESPONSE},
)
def post_message(
    conversation_id: ConversationId,
    message: MessageCreate,
    chat: ChatDep,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Turn | EventSourceResponse:
    if not _wants_stream(accept):
        return chat.reply(conversation_id, message.content)
    return EventSourceResponse(sse_stream(chat.stream_events(conversation_id, message.content)))
