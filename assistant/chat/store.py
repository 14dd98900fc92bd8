"""Conversations in the database (SQLite by default, PostgreSQL for replicas), so a restart loses no
turn and no draft version, and any replica can continue any conversation.

Every write is one short transaction that first locks the conversation's row (``FOR UPDATE`` on
PostgreSQL, the database write lock on SQLite), so two processes appending to one conversation
number their turns and versions without collisions. Turns are stored as their JSON so new optional
fields need no migration. A conversation may carry the sha256 of its owner's token; ``authorise``
answers "no such conversation" for a wrong token exactly as for an unknown id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, delete, func, insert, select, update

from assistant.chat.models import Conversation, ConversationSummary, DraftVersion, Turn
from assistant.database import Database, conversations, sqlite_url, versions
from assistant.database import turns as turn_table
from assistant.errors import Conflict, NotFound
from assistant.tokens import digest, matches


def now() -> datetime:
    return datetime.now(UTC)


def _missing(conversation_id: str) -> NotFound:
    return NotFound(f"No conversation '{conversation_id}'; start one with POST /api/conversations.")


class ConversationStore:
    """Create, load, append to and delete conversations; opening it touches no file or server."""

    def __init__(self, database: Database | Path) -> None:
        self.database = database if isinstance(database, Database) else Database(sqlite_url(database))

    def close(self) -> None:
        self.database.close()

    def create(self, conversation: Conversation, *, token: str | None = None) -> None:
        with self.database.begin() as db:
            db.execute(insert(conversations).values(
                id=conversation.id, programme=conversation.programme, category=conversation.category,
                created_at=conversation.created_at.isoformat(), updated_at=conversation.updated_at.isoformat(),
                token_hash=digest(token) if token else None,
            ))
            for version in conversation.versions:
                self._insert_version(db, conversation.id, version)
            self._insert_turns(db, conversation.id, conversation.turns, after=0)

    def authorise(self, conversation_id: str, token: str | None) -> None:
        """Raise NotFound unless the conversation exists and ``token`` is its owner's."""
        with self.database.connect() as db:
            row = db.execute(
                select(conversations.c.token_hash).where(conversations.c.id == conversation_id)
            ).first()
        if row is None or not matches(token, [row.token_hash]):
            raise _missing(conversation_id)

    def get(self, conversation_id: str) -> Conversation:
        with self.database.connect() as db:
            row = db.execute(select(conversations).where(conversations.c.id == conversation_id)).first()
            if row is None:
                raise _missing(conversation_id)
            stored_versions = [
                DraftVersion(number=v.number, text=v.text, note=v.note, created_at=datetime.fromisoformat(v.created_at))
                for v in db.execute(
                    select(versions).where(versions.c.conversation_id == conversation_id).order_by(versions.c.number)
                )
            ]
            stored_turns = [
                Turn.model_validate_json(data)
                for (data,) in db.execute(
                    select(turn_table.c.data).where(turn_table.c.conversation_id == conversation_id)
                    .order_by(turn_table.c.seq)
                )
            ]
        return Conversation(
            id=row.id, programme=row.programme, category=row.category, versions=stored_versions,
            turns=stored_turns, created_at=datetime.fromisoformat(row.created_at),
            updated_at=datetime.fromisoformat(row.updated_at),
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
        with self.database.begin() as db:
            locked = db.execute(
                select(conversations.c.id).where(conversations.c.id == conversation_id).with_for_update()
            ).first()
            if locked is None:
                raise _missing(conversation_id)
            if version is not None:
                latest = db.execute(
                    select(func.max(versions.c.number)).where(versions.c.conversation_id == conversation_id)
                ).scalar()
                if version.number != (latest or 0) + 1:
                    raise Conflict(
                        "The draft changed in another request while this one ran; reload the conversation "
                        "and try again."
                    )
                self._insert_version(db, conversation_id, version)
            if turns:
                owner = turn_table.c.conversation_id == conversation_id
                last = db.execute(select(func.coalesce(func.max(turn_table.c.seq), 0)).where(owner)).scalar_one()
                self._insert_turns(db, conversation_id, turns, after=last)
            values: dict[str, object] = {"updated_at": now().isoformat()}
            if category is not None:
                values.update(programme=category[0], category=category[1])
            db.execute(update(conversations).where(conversations.c.id == conversation_id).values(**values))

    def delete(self, conversation_id: str) -> None:
        """Remove the conversation, its turns and its versions; NotFound if there is none."""
        with self.database.begin() as db:
            db.execute(delete(turn_table).where(turn_table.c.conversation_id == conversation_id))
            db.execute(delete(versions).where(versions.c.conversation_id == conversation_id))
            gone = db.execute(delete(conversations).where(conversations.c.id == conversation_id))
            if gone.rowcount == 0:
                raise _missing(conversation_id)

    def purge(self, older_than: timedelta) -> int:
        """Delete conversations untouched for longer than ``older_than``; returns how many."""
        cutoff = (now() - older_than).isoformat()
        stale = select(conversations.c.id).where(conversations.c.updated_at < cutoff)
        with self.database.begin() as db:
            db.execute(delete(turn_table).where(turn_table.c.conversation_id.in_(stale)))
            db.execute(delete(versions).where(versions.c.conversation_id.in_(stale)))
            return int(db.execute(delete(conversations).where(conversations.c.updated_at < cutoff)).rowcount)

    def summaries(self, limit: int = 20) -> list[ConversationSummary]:
        turn_count = (select(func.count()).where(turn_table.c.conversation_id == conversations.c.id)
                      .correlate(conversations).scalar_subquery())
        version_count = (select(func.count()).where(versions.c.conversation_id == conversations.c.id)
                         .correlate(conversations).scalar_subquery())
        query = (select(conversations.c.id, conversations.c.programme, conversations.c.category,
                        conversations.c.updated_at, turn_count, version_count)
                 .order_by(conversations.c.updated_at.desc()).limit(limit))
        with self.database.connect() as db:
            rows = db.execute(query).all()
        return [
            ConversationSummary(id=r[0], programme=r[1], category=r[2], updated_at=datetime.fromisoformat(r[3]),
                                turns=r[4], versions=r[5])
            for r in rows
        ]

    @staticmethod
    def _insert_turns(db: Connection, conversation_id: str, new: Sequence[Turn], *, after: int) -> None:
        """Store turns in order, numbered after the conversation's last turn ``after``."""
        for seq, turn in enumerate(new, start=after + 1):
            db.execute(insert(turn_table).values(conversation_id=conversation_id, seq=seq, id=turn.id,
                                                 data=turn.model_dump_json()))

    @staticmethod
    def _insert_version(db: Connection, conversation_id: str, version: DraftVersion) -> None:
        db.execute(insert(versions).values(
            conversation_id=conversation_id, number=version.number, text=version.text, note=version.note,
            created_at=version.created_at.isoformat(),
        ))
