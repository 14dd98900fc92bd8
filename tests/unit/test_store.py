"""The vector store: idempotent sync on disk, filters, and the same code through a Chroma server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.backends.embeddings import FakeEmbeddings, build_embeddings, verify_weights
from assistant.errors import BackendUnavailable, ConfigError
from assistant.knowledge import Passage
from assistant.service import Assistant
from tests.conftest import make_settings


def _passage(pid: str, text: str, evidence: tuple[str, ...] = ()) -> Passage:
    return Passage(id=pid, kind="exemplar", text=text, source="test", criterion="spread", evidence=evidence)  # type: ignore[arg-type]


def test_sync_is_idempotent_replaces_changed_and_removes_deleted(tmp_path: Path) -> None:
    assistant = Assistant.from_settings(make_settings(tmp_path, embeddings={"model": "fake:64"}))
    store = assistant.store
    first = [_passage("a", "adopted by two trusts", ("spread",)), _passage("b", "falls fell by a third", ("metric",))]
    assert store.sync("exemplar", first).added == 2
    again = store.sync("exemplar", first)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 2)
    changed = store.sync("exemplar", [_passage("a", "adopted by three trusts", ("spread",))])
    assert (changed.updated, changed.removed) == (1, 1)
    hits = store.search("exemplar", "adopted by trusts", k=5, where={"ev_spread": True})
    assert [p.text for p, _ in hits] == ["adopted by three trusts"]


def test_bundled_knowledge_ingests_once(tmp_path: Path) -> None:
    assistant = Assistant.from_settings(make_settings(tmp_path, embeddings={"model": "fake:64"}))
    first = assistant.ingest_knowledge()
    assert first.changed > 1000
    second = Assistant.from_settings(make_settings(tmp_path, embeddings={"model": "fake:64"})).ingest_knowledge()
    assert second.changed == 0


def test_unknown_embedding_model_and_altered_weights_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="fake:384"):
        build_embeddings("openai:text-embedding-3")
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(BackendUnavailable, match="sha256"):
        verify_weights(tmp_path)
    with pytest.raises(BackendUnavailable, match="missing"):
        verify_weights(tmp_path / "nowhere")
    assert isinstance(build_embeddings("fake:32"), FakeEmbeddings)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    chroma = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma server did not start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.server
def test_chroma_server_url_switches_to_http_client(chroma_server: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "local", embeddings={"model": "fake:64"}, store={"url": chroma_server})
    assistant = Assistant.from_settings(settings)
    assert assistant.ingest_knowledge().changed > 1000
    assert not (tmp_path / "local" / "chroma").exists()
    hits = assistant.search("exemplar", "spread to other trusts", k=3, evidence="spread")
    assert hits and all("spread" in p.evidence for p, _ in hits)
    assert Assistant.from_settings(settings).ingest_knowledge().changed == 0
