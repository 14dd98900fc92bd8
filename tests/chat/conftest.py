"""Chat fixtures: engines over the session's assistants, each with its own SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.chat import ChatEngine, build_chat_engine
from assistant.service import Assistant
from assistant.settings import REPO_ROOT, LLMSettings

SAMPLE = (REPO_ROOT / "knowledge" / "samples" / "hospital-at-home-draft.md").read_text(encoding="utf-8")
SAMPLE_CATEGORY = "hsj-awards-2025/acute-innovation"

EngineFactory = Callable[..., ChatEngine]


@pytest.fixture
def make_engine(tmp_path: Path) -> EngineFactory:
    """An engine over a given assistant; ``llm`` picks the chat model, the database is per test."""

    def factory(assistant: Assistant, *, llm: dict[str, object] | None = None, db: Path | None = None) -> ChatEngine:
        settings = LLMSettings.model_validate(llm) if llm else None
        return build_chat_engine(assistant, database_path=db or tmp_path / "chat.sqlite3", llm=settings)

    return factory


@pytest.fixture(scope="session")
def sample() -> str:
    """The bundled hospital-at-home draft (HSJ Awards 2025, Acute Sector Innovation of the Year)."""
    return SAMPLE


@pytest.fixture
def fake_engine(fake_assistant: Assistant, make_engine: EngineFactory) -> ChatEngine:
    return make_engine(fake_assistant)
