"""Where conversations and batches live: one SQLAlchemy engine over SQLite (the embedded default) or
PostgreSQL (shared by several ``shortlist serve`` replicas), with the schema kept by Alembic.

``Database(url)`` opens nothing until first used; its first use upgrades the schema to the newest
migration (under an advisory lock on PostgreSQL, so replicas starting together migrate once).
Timestamps are stored as ISO-8601 text in UTC, which sorts and compares correctly on both servers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError

from assistant.errors import BackendUnavailable, ConfigError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant will do: replicas take this PostgreSQL advisory lock while they migrate.
_MIGRATION_LOCK = 7_415_020_263

metadata = MetaData()

conversations = Table(
    "chat_conversations", metadata,
    Column("id", String(64), primary_key=True),
    Column("programme", Text),
    Column("category", Text),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False, index=True),
    # sha256 of the conversation's bearer token; NULL for conversations made by the CLI or before tokens.
    Column("token_hash", String(64)),
)
versions = Table(
    "chat_versions", metadata,
    Column("conversation_id", String(64), ForeignKey("chat_conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)
turns = Table(
    "chat_turns", metadata,
    Column("conversation_id", String(64), ForeignKey("chat_conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("data", Text, nullable=False),
)
batches = Table(
    "batches", metadata,
    Column("id", String(64), primary_key=True),
    Column("programme", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("total", Integer, nullable=False),
    Column("done", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("finished_at", Text),
    Column("error", Text),
    Column("columns", Text),
    # The upload and the finished report live in the database, so any replica can run or serve a batch.
    Column("upload", LargeBinary),
    Column("report", Text),
    # Which process runs it, and when that process last said it was alive (a lease other replicas honour).
    Column("claimed_by", String(64)),
    Column("heartbeat_at", Text),
)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def describe(url: str) -> str:
    """The URL with any password masked, for logs and errors."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


class Database:
    """A lazily opened engine; ``begin()`` gives one transaction, ``connect()`` a read."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        self.pool_size = pool_size
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return make_url(self.url).get_backend_name()

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = self._open()
            return self._engine

    def _open(self) -> Engine:
        try:
            url = make_url(self.url)
        except ArgumentError as exc:
            raise ConfigError(f"SHORTLIST_DATABASE__URL is not a database URL ({exc}).") from exc
        backend = url.get_backend_name()
        if backend == "postgresql" and url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")  # psycopg 3, not the absent psycopg2
        options: dict[str, Any] = {"pool_pre_ping": True}
        if backend == "sqlite":
            database = url.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            options["connect_args"] = {"check_same_thread": False, "timeout": 30}
        elif backend == "postgresql":
            options.update(pool_size=self.pool_size, max_overflow=self.pool_size)
        else:
            raise ConfigError(f"Unsupported database '{backend}': use sqlite:///PATH or postgresql://USER@HOST/DB.")
        try:
            engine = create_engine(url, **options)
        except (ArgumentError, ModuleNotFoundError) as exc:
            raise ConfigError(f"Cannot use the database {describe(self.url)}: {exc}") from exc
        if backend == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            # pysqlite's own transaction handling delays BEGIN; take the write lock at BEGIN instead, so
            # read-then-write transactions (next turn number, batch claims) cannot interleave.
            event.listen(engine, "begin", _sqlite_begin)
        try:
            upgrade(engine)
        except (SQLAlchemyError, OSError) as exc:
            engine.dispose()
            raise BackendUnavailable(f"Cannot open the database {describe(self.url)}: {_reason(exc)}") from exc
        return engine

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on an error."""
        with _unavailable_is_503(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A read-only transaction (on SQLite it takes no write lock)."""
        with _unavailable_is_503(), self.engine.connect() as connection:
            reading = connection.execution_options(sqlite_begin="DEFERRED")
            with reading.begin():
                yield reading

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


@contextmanager
def _unavailable_is_503() -> Iterator[None]:
    """A lost or refused connection, a server shutting down or a file locked too long is the database
    being unavailable (BackendUnavailable: 503, try again); any other database error stays what it is."""
    try:
        yield
    except DBAPIError as exc:
        if isinstance(exc, OperationalError) or exc.connection_invalidated or isinstance(exc.orig, OSError):
            raise BackendUnavailable(f"The database is unavailable; try again shortly ({_reason(exc)}).") from exc
        raise


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level, so the 'begin' listener's BEGIN IMMEDIATE is the only BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")


def alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration; a no-op when it is there already."""
    from alembic import command

    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
            connection.commit()
        try:
            command.upgrade(alembic_config(connection), "head")
            connection.commit()
        finally:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
                connection.commit()


def current_revision(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as connection:
        revision: str | None = MigrationContext.configure(connection).get_current_revision()
        return revision
