"""The vector store: idempotent sync on disk, filters, and the same code through a Chroma server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.backends.embeddings import FakeEmbeddings, build_embeddings, verify_weights
from assistant.errors import BackendUnavailable, ConfigError
from assistant.knowledge import Passage
from assistant.service import Assistant
from tests.conftest import make_settings
from tests.servers import chroma_server as start_chroma_server


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


@pytest.fixture()
def chroma_server() -> Iterator[str]:
    with start_chroma_server() as url:
        yield url


@pytest.mark.server
def test_chroma_server_url_switches_to_http_client(chroma_server: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "local", embeddings={"model": "fake:64"}, store={"url": chroma_server})
    assistant = Assistant.from_settings(settings)
    assert assistant.ingest_knowledge().changed > 1000
    assert not (tmp_path / "local" / "chroma").exists()
    hits = assistant.search("exemplar", "spread to other trusts", k=3, evidence="spread")
    assert hits and all("spread" in p.evidence for p, _ in hits)
    assert Assistant.from_settings(settings).ingest_knowledge().changed == 0
