"""Conversations, their draft versions and turns survive a restart (a new engine on the same file)."""

from __future__ import annotations

import sqlite3
from functools import partial
from pathlib import Path

import pytest

from assistant.chat import ChatEngine
from assistant.errors import InvalidInput, NotFound
from assistant.service import Assistant
from tests.threads import run_together

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

    def talk(conversation_id: str) -> None:
        for message in ("what's missing?", "is this too long", "help"):
            fake_engine.reply(conversation_id, message)

    errors = run_together([partial(talk, c.id) for c in conversations for _ in range(2)])
    assert not errors
    for conversation in conversations:
        assert len(fake_engine.get(conversation.id).turns) == 12


def test_listing_shows_recent_conversations(fake_engine: ChatEngine, sample: str) -> None:
    created = fake_engine.create(CATEGORY, sample)
    summaries = fake_engine.list_conversations()
    assert summaries[0].id == created.id and summaries[0].versions == 1


LEGACY_SCHEMA = """
CREATE TABLE chat_conversations (id TEXT PRIMARY KEY, programme TEXT, category TEXT, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE chat_versions (conversation_id TEXT NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL, text TEXT NOT NULL, note TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, number));
CREATE TABLE chat_turns (conversation_id TEXT NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, data TEXT NOT NULL, PRIMARY KEY (conversation_id, seq));
"""


def test_a_database_from_before_migrations_is_upgraded_in_place_and_keeps_its_rows(tmp_path: Path) -> None:
    from assistant.chat.store import ConversationStore
    from assistant.database import Database, current_revision, sqlite_url

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(LEGACY_SCHEMA)
        db.execute("INSERT INTO chat_conversations VALUES ('old', 'hsj-awards-2025', 'acute-innovation', "
                   "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')")
        db.execute("INSERT INTO chat_versions VALUES ('old', 1, 'An old draft.', 'initial draft', "
                   "'2026-01-01T00:00:00+00:00')")
    database = Database(sqlite_url(path))
    store = ConversationStore(database)
    assert current_revision(database) == "0001"
    assert store.get("old").versions[0].text == "An old draft."
    with pytest.raises(NotFound):  # it has no token, so no one can open it over HTTP
        store.authorise("old", "any-token")
    store.append("old", version=store.get("old").versions[0].model_copy(update={"number": 2, "text": "New."}))
    assert [v.text for v in store.get("old").versions] == ["An old draft.", "New."]
    database.close()
    with sqlite3.connect(path) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(chat_conversations)")}
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "token_hash" in columns and {"batches", "alembic_version"} <= tables


def test_a_turn_is_numbered_after_the_last_even_when_two_engines_share_the_file(
    fake_assistant: Assistant, make_engine, tmp_path: Path
) -> None:
    db = tmp_path / "shared.sqlite3"
    engines = [make_engine(fake_assistant, db=db), make_engine(fake_assistant, db=db)]
    conversation = engines[0].create(CATEGORY, "## Impact\n\nWaits fell from 18 to 6 weeks.")

    def ask(engine: ChatEngine) -> None:
        for _ in range(5):
            engine.reply(conversation.id, "what's missing in impact?")

    errors = run_together([partial(ask, engine) for engine in engines])
    assert errors == []
    turns = engines[1].get(conversation.id).turns
    assert len(turns) == 20 and [t.role for t in turns] == ["user", "assistant"] * 10


def test_a_batches_table_from_before_migrations_is_kept_aside_and_a_new_one_made(tmp_path: Path) -> None:
    from assistant.database import Database, current_revision, sqlite_url

    path = tmp_path / "batches.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE batches (id TEXT PRIMARY KEY, programme TEXT NOT NULL, name TEXT NOT NULL, "
                   "status TEXT NOT NULL, total INTEGER NOT NULL, done INTEGER NOT NULL, created_at TEXT NOT NULL, "
                   "finished_at TEXT, error TEXT, columns TEXT)")
        db.execute("INSERT INTO batches VALUES ('old', 'p', 'n', 'done', 1, 1, '2026-01-01', NULL, NULL, NULL)")
    database = Database(sqlite_url(path))
    assert current_revision(database) == "0001"
    database.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT id FROM batches_before_0001").fetchall() == [("old",)]
        columns = {row[1] for row in db.execute("PRAGMA table_info(batches)")}
    assert {"upload", "report", "claimed_by", "heartbeat_at"} <= columns
