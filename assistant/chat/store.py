"""Conversations in SQLite (stdlib sqlite3, WAL), so a restart loses no turn and no draft version.

One connection guarded by a lock: the server's worker threads share it, and every write is a
single short transaction. Turns are stored as their JSON so new optional fields need no migration.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from assistant.chat.models import Conversation, ConversationSummary, DraftVersion, Turn
from assistant.errors import BackendUnavailable, NotFound

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_conversations (
    id TEXT PRIMARY KEY,
    programme TEXT,
    category TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chat_versions (
    conversation_id TEXT NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, number)
);
CREATE TABLE IF NOT EXISTS chat_turns (
    conversation_id TEXT NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
"""


def now() -> datetime:
    return datetime.now(UTC)


class ConversationStore:
    """Create, load and append to conversations; opened lazily so constructing it touches no file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            try:
                if str(self.path) != ":memory:":
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA foreign_keys=ON")
                connection.executescript(_SCHEMA)
            except (sqlite3.Error, OSError) as exc:
                raise BackendUnavailable(f"Cannot open the conversation database at {self.path}: {exc}") from exc
            self._connection = connection
        return self._connection

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def create(self, conversation: Conversation) -> None:
        with self._lock, self._db() as db:
            db.execute(
                "INSERT INTO chat_conversations (id, programme, category, created_at, updated_at) VALUES (?,?,?,?,?)",
                (conversation.id, conversation.programme, conversation.category,
                 conversation.created_at.isoformat(), conversation.updated_at.isoformat()),
            )
            for version in conversation.versions:
                self._insert_version(db, conversation.id, version)
            for turn in conversation.turns:
                self._insert_turn(db, conversation.id, turn)

    def get(self, conversation_id: str) -> Conversation:
        with self._lock:
            db = self._db()
            row = db.execute(
                "SELECT id, programme, category, created_at, updated_at FROM chat_conversations WHERE id = ?",
                (conversation_id,),
            ).fetchone()
            if row is None:
                raise NotFound(f"No conversation '{conversation_id}'; start one with POST /api/conversations.")
            versions = [
                DraftVersion(number=n, text=t, note=note, created_at=datetime.fromisoformat(c))
                for n, t, note, c in db.execute(
                    "SELECT number, text, note, created_at FROM chat_versions WHERE conversation_id = ? "
                    "ORDER BY number", (conversation_id,),
                )
            ]
            turns = [
                Turn.model_validate_json(data)
                for (data,) in db.execute(
                    "SELECT data FROM chat_turns WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
                )
            ]
        return Conversation(
            id=row[0], programme=row[1], category=row[2], versions=versions, turns=turns,
            created_at=datetime.fromisoformat(row[3]), updated_at=datetime.fromisoformat(row[4]),
        )

    def append(
        self,
        conversation_id: str,
        *,
        turns: Sequence[Turn] = (),
        version: DraftVersion | None = None,
        category: tuple[str, str] | None = None,
    ) -> None:
        """Add turns and/or a draft version (and maybe set the category) in one transaction."""
        with self._lock, self._db() as db:
            if version is not None:
                self._insert_version(db, conversation_id, version)
            for turn in turns:
                self._insert_turn(db, conversation_id, turn)
            if category is not None:
                db.execute(
                    "UPDATE chat_conversations SET programme = ?, category = ? WHERE id = ?",
                    (category[0], category[1], conversation_id),
                )
            updated = db.execute(
                "UPDATE chat_conversations SET updated_at = ? WHERE id = ?", (now().isoformat(), conversation_id)
            )
            if updated.rowcount == 0:
                raise NotFound(f"No conversation '{conversation_id}'.")

    def summaries(self, limit: int = 20) -> list[ConversationSummary]:
        with self._lock:
            rows = self._db().execute(
                "SELECT c.id, c.programme, c.category, c.updated_at, "
                "(SELECT COUNT(*) FROM chat_turns t WHERE t.conversation_id = c.id), "
                "(SELECT COUNT(*) FROM chat_versions v WHERE v.conversation_id = c.id) "
                "FROM chat_conversations c ORDER BY c.updated_at DESC LIMIT ?", (limit,),
            ).fetchall()
        return [
            ConversationSummary(id=r[0], programme=r[1], category=r[2], updated_at=datetime.fromisoformat(r[3]),
                                turns=r[4], versions=r[5])
            for r in rows
        ]

    @staticmethod
    def _insert_version(db: sqlite3.Connection, conversation_id: str, version: DraftVersion) -> None:
        db.execute(
            "INSERT INTO chat_versions (conversation_id, number, text, note, created_at) VALUES (?,?,?,?,?)",
            (conversation_id, version.number, version.text, version.note, version.created_at.isoformat()),
        )

    @staticmethod
    def _insert_turn(db: sqlite3.Connection, conversation_id: str, turn: Turn) -> None:
        db.execute(
            "INSERT INTO chat_turns (conversation_id, seq, id, data) VALUES "
            "(?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM chat_turns WHERE conversation_id = ?), ?, ?)",
            (conversation_id, conversation_id, turn.id, turn.model_dump_json()),
        )
