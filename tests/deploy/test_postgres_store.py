"""Conversations and batches on a real PostgreSQL: the same store code, concurrent writers, and batch
claims that hand each batch to exactly one runner."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text, update

from assistant.batch.jobs import BatchJobs
from assistant.chat.models import Conversation, DraftVersion, Turn
from assistant.chat.store import ConversationStore
from assistant.database import Database, batches, current_revision
from assistant.errors import Conflict, NotFound
from assistant.service import Assistant
from tests.batch.planted import build_planted_batch, zipped
from tests.threads import run_together

pytestmark = pytest.mark.server


def _conversation() -> Conversation:
    created = datetime.now(UTC)
    return Conversation(id=uuid.uuid4().hex, created_at=created, updated_at=created,
                        versions=[DraftVersion(number=1, text="## Impact\n\nWaits fell.", created_at=created)])


def _turn(n: int) -> Turn:
    return Turn(id=uuid.uuid4().hex, role="user", content=f"message {n}", created_at=datetime.now(UTC))


def test_the_schema_is_migrated_once_and_the_store_round_trips(postgres_url: str) -> None:
    first, second = Database(postgres_url), Database(postgres_url)
    assert current_revision(first) == current_revision(second) == "0001"
    store = ConversationStore(first)
    conversation = _conversation()
    store.create(conversation, token="secret-token")
    store.authorise(conversation.id, "secret-token")
    with pytest.raises(NotFound):
        store.authorise(conversation.id, "other")
    loaded = ConversationStore(second).get(conversation.id)
    assert loaded.versions[0].text == "## Impact\n\nWaits fell."
    with second.connect() as db:
        stored = db.execute(text("SELECT token_hash FROM chat_conversations WHERE id = :id"),
                            {"id": conversation.id}).scalar_one()
    assert stored != "secret-token" and len(stored) == 64, "only the token's hash is stored"
    first.close()
    second.close()


def test_concurrent_appends_from_two_processes_keep_every_turn_in_order(postgres_url: str) -> None:
    databases = [Database(postgres_url), Database(postgres_url)]  # two engines: two replicas' pools
    stores = [ConversationStore(d) for d in databases]
    conversation = _conversation()
    stores[0].create(conversation)

    def write(store: ConversationStore, start: int) -> None:
        for n in range(start, start + 20):
            store.append(conversation.id, turns=[_turn(n)])

    errors = run_together([partial(write, stores[i % 2], i * 100) for i in range(4)])
    assert errors == []
    turns = stores[1].get(conversation.id).turns
    assert len(turns) == 80 and len({t.id for t in turns}) == 80
    numbers = [int(t.content.split()[1]) for t in turns]
    for writer in range(4):  # each writer's turns keep their order
        mine = [n for n in numbers if writer * 100 <= n < writer * 100 + 100]
        assert mine == sorted(mine) and len(mine) == 20
    # Two replicas saving "version 2" at once: one wins, the other is told to reload.
    stores[0].append(conversation.id, version=DraftVersion(number=2, text="a", created_at=datetime.now(UTC)))
    with pytest.raises(Conflict):
        stores[1].append(conversation.id, version=DraftVersion(number=2, text="b", created_at=datetime.now(UTC)))
    assert [v.text for v in stores[1].get(conversation.id).versions][-1] == "a"
    stores[1].delete(conversation.id)
    with pytest.raises(NotFound):
        stores[0].get(conversation.id)
    for database in databases:
        database.close()


def test_a_batch_is_run_by_one_replica_and_taken_over_when_its_runner_dies(
    postgres_url: str, batch_assistant: Assistant, tmp_path: Path
) -> None:

    database = Database(postgres_url)
    idle = BatchJobs(batch_assistant, database=database)  # never started: as a replica that was killed
    data = zipped(build_planted_batch(tmp_path / "entries"))
    batch = idle.submit("entries.zip", data, programme="hsj-awards-2025")
    with database.begin() as db:  # the dead replica had claimed it: its lease stopped being renewed
        db.execute(update(batches).where(batches.c.id == batch.id).values(
            status="running", claimed_by="dead-replica",
            heartbeat_at=(datetime.now(UTC) - timedelta(seconds=5)).isoformat(timespec="seconds")))
    runners = [BatchJobs(batch_assistant, database=Database(postgres_url), lease_seconds=2, poll_seconds=0.2)
               for _ in range(2)]
    for runner in runners:
        runner.start()
    try:
        started = time.monotonic()
        finished = runners[0].wait(batch.id, timeout=300)
        assert finished.status == "done", finished
        assert time.monotonic() - started < 300
        with database.connect() as db:
            claimed_by = db.execute(text("SELECT claimed_by FROM batches WHERE id = :id"), {"id": batch.id}).scalar()
        assert claimed_by in {r.worker_id for r in runners}
        assert runners[1].report(batch.id).summary.total == finished.total, "either replica serves the report"
    finally:
        for runner in runners:
            runner.close()
            runner.database.close()
        database.close()


def test_a_database_that_goes_away_is_a_backend_unavailable_error() -> None:
    from assistant.errors import BackendUnavailable
    from tests.servers import postgres_cluster

    with postgres_cluster() as url:
        database = Database(url)
        store = ConversationStore(database)
        conversation = _conversation()
        store.create(conversation)
    # The cluster is stopped and removed now: every call is a clear 503-class error, not a crash.
    with pytest.raises(BackendUnavailable, match="unavailable"):
        store.get(conversation.id)
    with pytest.raises(BackendUnavailable):
        store.append(conversation.id, turns=[_turn(1)])
    database.close()
