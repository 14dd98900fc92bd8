"""Typed dependencies: the Assistant and chat engine built once by the lifespan, read from app.state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.chat import ChatEngine
from assistant.service import Assistant


def get_assistant(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    return assistant


def get_chat(request: Request) -> ChatEngine:
    engine: ChatEngine = request.app.state.chat
    return engine


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
ChatDep = Annotated[ChatEngine, Depends(get_chat)]
