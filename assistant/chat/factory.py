"""Build the chat engine from the assistant's settings: the database, the prompts, the LLM if any."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.chat.engine import ChatEngine
from assistant.chat.prompts import PromptLibrary
from assistant.chat.store import ConversationStore
from assistant.chat.tools import ChatTools
from assistant.database import Database, sqlite_url

if TYPE_CHECKING:
    from assistant.service import Assistant
    from assistant.settings import LLMSettings


def build_chat_engine(
    assistant: Assistant,
    *,
    database: Database | None = None,
    database_path: Path | None = None,
    llm: LLMSettings | None = None,
) -> ChatEngine:
    """Conversations live in ``database`` (else a SQLite file at ``database_path``, else the settings'
    database) and the LLM is ``settings.llm`` ('none' answers from templates) unless given here, e.g. to
    compare modes over one assistant in an eval run. Opens no file and loads no model until used; a wrong
    LLM id fails here with a ConfigError."""
    settings = assistant.settings
    llm = llm or settings.llm
    prompts = PromptLibrary(settings.prompts_dir)
    tools = ChatTools(assistant, cache_size=settings.server.chat_reviews_cached)
    agent = None
    if llm.model != "none":
        from assistant.chat.agent import Agent

        agent = Agent.from_settings(llm, prompts=prompts, tools=tools)
    if database is None:
        database = Database(sqlite_url(database_path) if database_path else settings.database_url,
                            pool_size=settings.database.pool_size)
    store = ConversationStore(database)
    return ChatEngine(assistant=assistant, store=store, prompts=prompts, tools=tools, agent=agent)
