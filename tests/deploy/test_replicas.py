"""Two ``shortlist serve`` processes on different ports, one PostgreSQL and one Chroma server: whatever
one replica stores, the other continues."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.batch.planted import PLANTED, build_planted_batch, zipped
from tests.servers import LiveServer, free_port

pytestmark = [pytest.mark.server, pytest.mark.slow]
KEY = "replica-organiser-key-5c1e0b7a93"
ORGANISER = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def replicas(
    postgres_url: str, chroma_url: str, message_model_files: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[LiveServer]]:
    env = {"SHORTLIST_DATABASE__URL": postgres_url, "SHORTLIST_STORE__URL": chroma_url,
           "SHORTLIST_AUTH__ORGANISER_KEYS": KEY, "SHORTLIST_BATCH_WORKERS": "1"}
    servers = []
    for name in ("a", "b"):
        data = tmp_path_factory.mktemp(f"replica-{name}") / "data"
        (data / "cache").mkdir(parents=True)
        for path in message_model_files:
            shutil.copy2(path, data / "cache" / path.name)
        servers.append(LiveServer(data, free_port(), env))
    try:
        for server in servers:  # the first embeds the knowledge base into Chroma; the second finds it there
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_a_conversation_and_a_batch_started_on_one_replica_continue_on_the_other(
    replicas: list[LiveServer], tmp_path: Path, sample_draft: str
) -> None:
    a, b = (httpx.Client(base_url=server.url, timeout=120) for server in replicas)
    for client in (a, b):
        health = client.get("/api/health").json()
        assert health["database"] == "postgresql"
    assert not (replicas[0].data_dir / "shortlist.sqlite3").exists(), "nothing is kept in a local SQLite file"

    created = a.post("/api/conversations", json={"category": "hsj-awards-2025/acute-innovation", "text": sample_draft})
    assert created.status_code == 201, created.text
    conversation_id, token = created.json()["id"], created.json()["token"]
    owner = {"Authorization": f"Bearer {token}"}
    first = a.post(f"/api/conversations/{conversation_id}/messages", json={"content": "What's missing in impact?"},
                   headers=owner)
    assert first.status_code == 200, first.text

    assert b.get(f"/api/conversations/{conversation_id}").status_code == 404, "the token is needed on every replica"
    seen = b.get(f"/api/conversations/{conversation_id}", headers=owner).json()
    assert [t["id"] for t in seen["turns"]][-1] == first.json()["id"]
    second = b.post(f"/api/conversations/{conversation_id}/messages", json={"content": "and scale?"}, headers=owner)
    assert second.status_code == 200, second.text
    revised = sample_draft + "\nA patient said: \"I slept in my own bed.\"\n"
    assert b.post(f"/api/conversations/{conversation_id}/versions", json={"text": revised},
                  headers=owner).status_code == 201
    undone = a.post(f"/api/conversations/{conversation_id}/undo", headers=owner)
    assert undone.status_code == 200, undone.text
    final = a.get(f"/api/conversations/{conversation_id}", headers=owner).json()
    assert [t["role"] for t in final["turns"]] == ["user", "assistant"] * 2
    assert [v["number"] for v in final["versions"]] == [1, 2, 3]
    assert final["versions"][2]["text"] == sample_draft

    upload = b.post("/api/batches", headers=ORGANISER, data={"programme": "hsj-awards-2025"},
                    files={"file": ("entries.zip", zipped(build_planted_batch(tmp_path / "entries")))})
    assert upload.status_code == 202, upload.text
    batch_id = upload.json()["id"]
    assert a.get(f"/api/batches/{batch_id}").status_code == 401
    deadline = time.monotonic() + 600
    while (status := a.get(f"/api/batches/{batch_id}", headers=ORGANISER).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, status
        time.sleep(1)
    assert status["status"] == "done", status
    report = a.get(f"/api/batches/{batch_id}/report", headers=ORGANISER).json()
    assert [entry["id"] for entry in report["entries"]] == list(PLANTED)
    assert b.delete(f"/api/batches/{batch_id}", headers=ORGANISER).status_code == 204
    assert a.get(f"/api/batches/{batch_id}", headers=ORGANISER).status_code == 404

    assert b.delete(f"/api/conversations/{conversation_id}", headers=owner).status_code == 204
    assert a.get(f"/api/conversations/{conversation_id}", headers=owner).status_code == 404
