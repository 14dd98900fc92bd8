"""Conversations, their draft versions and turns survive a restart (a new engine on the same file)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from assistant.chat import ChatEngine
from assistant.errors import InvalidInput, NotFound
from assistant.service import Assistant

CATEGORY = "hsj-awards-2025/acute-innovation"


def test_conversation_and_versions_survive_a_restart(
    fake_assistant: Assistant, make_engine, sample: str, tmp_path: Path
) -> None:
    db = tmp_path / "restart.sqlite3"
    first = make_engine(fake_assistant, db=db)
    conversation = first.create(CATEGORY, sample)
    first.reply(conversation.id, "what's missing from scale?")
    first.add_version(conversation.id, sample.replace("next year", "in 2026"), note="second go")
    first.store.close()

    restarted: ChatEngine = make_engine(fake_assistant, db=db)
    loaded = restarted.get(conversation.id)
    assert (loaded.programme, loaded.category) == ("hsj-awards-2025", "acute-innovation")
    assert [v.number for v in loaded.versions] == [1, 2]
    assert loaded.versions[0].text == sample
    assert "in 2026" in loaded.versions[1].text and loaded.versions[1].note == "second go"
    assert [t.role for t in loaded.turns] == ["user", "assistant"]
    assert loaded.turns[1].intent == "missing_criterion" and loaded.turns[1].criterion == "scale"
    assert loaded.turns[1].citations, "citations are stored with the turn"

    later = restarted.reply(conversation.id, "and what about impact?")
    assert later.criterion == "impact"
    assert len(restarted.get(conversation.id).turns) == 4


def test_revised_section_is_a_new_version_after_restart(
    fake_assistant: Assistant, make_engine, sample: str, tmp_path: Path
) -> None:
    db = tmp_path / "revise.sqlite3"
    engine = make_engine(fake_assistant, db=db)
    conversation = engine.create(CATEGORY, sample)
    engine.reply(conversation.id, "here's my new scale section: Two neighbouring trusts, Kelby and Ashdown, "
                                  "adopted our protocols in 2024 and have treated 212 patients between them.")
    loaded = make_engine(fake_assistant, db=db).get(conversation.id)
    assert len(loaded.versions) == 2
    assert "Kelby and Ashdown" in loaded.versions[1].text
    assert "We will roll the model out" not in loaded.versions[1].text
    assert "## Ambition" in loaded.versions[1].text, "the other sections are kept"


def test_database_uses_wal_and_its_own_tables(fake_engine: ChatEngine, tmp_path: Path) -> None:
    fake_engine.create(CATEGORY)
    with sqlite3.connect(tmp_path / "chat.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"chat_conversations", "chat_versions", "chat_turns"} <= tables


def test_unknown_conversation_is_not_found(fake_engine: ChatEngine) -> None:
    with pytest.raises(NotFound):
        fake_engine.get("no-such-id")
    with pytest.raises(NotFound):
        fake_engine.reply("no-such-id", "hello")


def test_unknown_category_and_empty_inputs_are_rejected(fake_engine: ChatEngine) -> None:
    with pytest.raises(NotFound):
        fake_engine.create("no-such-category")
    conversation = fake_engine.create(CATEGORY)
    with pytest.raises(InvalidInput):
        fake_engine.reply(conversation.id, "   ")
    with pytest.raises(InvalidInput):
        fake_engine.add_version(conversation.id, "")


def test_concurrent_replies_from_threads_are_all_stored(fake_engine: ChatEngine, sample: str) -> None:
    conversations = [fake_engine.create(CATEGORY, sample) for _ in range(3)]
    errors: list[BaseException] = []

    def talk(conversation_id: str) -> None:
        try:
            for message in ("what's missing?", "is this too long", "help"):
                fake_engine.reply(conversation_id, message)
        except BaseException as exc:  # collected so the test fails with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=talk, args=(c.id,)) for c in conversations for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    for conversation in conversations:
        assert len(fake_engine.get(conversation.id).turns) == 12


def test_listing_shows_recent_conversations(fake_engine: ChatEngine, sample: str) -> None:
    created = fake_engine.create(CATEGORY, sample)
    summaries = fake_engine.list_conversations()
    assert summaries[0].id == created.id and summaries[0].versions == 1
