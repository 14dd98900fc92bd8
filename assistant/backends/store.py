"""The vector store: Chroma (embedded on disk, or a server by URL) through langchain-chroma.

One collection per passage kind. Passages carry a content hash, so syncing is idempotent: an
unchanged passage is skipped, a changed one replaced, and one that no longer exists removed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from assistant.backends.embeddings import VectorEmbeddings
from assistant.errors import BackendUnavailable, ConfigError
from assistant.knowledge import Passage, PassageKind
from assistant.taxonomy import EVIDENCE_TYPES, EvidenceType

log = logging.getLogger(__name__)

KINDS: tuple[PassageKind, ...] = ("criterion", "exemplar", "guidance", "evidence", "entry")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class SyncResult:
    kind: PassageKind
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed


def _metadata(passage: Passage) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "kind": passage.kind,
        "source": passage.source,
        "source_file": passage.source_file,
        "programme": passage.programme,
        "category": passage.category,
        "criterion": passage.criterion,
        "evidence": ",".join(passage.evidence),
        "hash": passage.content_hash,
    }
    # Chroma filters on scalars, so each evidence type is its own boolean flag.
    for evidence_type in EVIDENCE_TYPES:
        meta[f"ev_{evidence_type}"] = evidence_type in passage.evidence
    return meta


def _passage(passage_id: str, text: str, meta: dict[str, Any]) -> Passage:
    evidence = tuple(t for t in str(meta.get("evidence", "")).split(",") if t)
    return Passage(
        id=passage_id,
        kind=meta["kind"],
        text=text,
        source=meta.get("source", ""),
        source_file=meta.get("source_file", ""),
        programme=meta.get("programme", ""),
        category=meta.get("category", ""),
        criterion=meta.get("criterion", ""),
        evidence=evidence,
    )


def where_clause(
    *,
    programme: str | None = None,
    category: str | None = None,
    criterion: str | None = None,
    evidence: EvidenceType | None = None,
) -> dict[str, Any] | None:
    terms: list[dict[str, Any]] = []
    for field, value in (("programme", programme), ("category", category), ("criterion", criterion)):
        if value:
            terms.append({field: value})
    if evidence:
        terms.append({f"ev_{evidence}": True})
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"$and": terms}


class KnowledgeStore:
    """Collections of passages in Chroma, searched by meaning with metadata filters."""

    def __init__(self, *, embeddings: VectorEmbeddings, path: Path, url: str | None, prefix: str) -> None:
        self.embeddings = embeddings
        self._path = path
        self._url = url
        self._prefix = prefix
        self._client: Any = None
        self._stores: dict[PassageKind, Any] = {}

    @property
    def location(self) -> str:
        return self._url or str(self._path)

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings
        except ImportError as exc:
            raise ConfigError("chromadb is not installed: run 'pip install -e .'.") from exc
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self._url:
                parsed = urlparse(self._url)
                if not parsed.hostname:
                    raise ConfigError(f"Chroma URL '{self._url}' has no host; use http://host:port.")
                self._client = chromadb.HttpClient(
                    host=parsed.hostname,
                    port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                    ssl=parsed.scheme == "https",
                    settings=chroma_settings,
                )
            else:
                self._path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self._path), settings=chroma_settings)
        except ConfigError:
            raise
        except Exception as exc:  # chromadb raises many unrelated types on connect
            raise BackendUnavailable(f"Could not open the vector store at {self.location}: {exc}") from exc
        return self._client

    def _store(self, kind: PassageKind) -> Any:
        if kind not in self._stores:
            from langchain_chroma import Chroma

            name = f"{self._prefix}-{kind}-{self.embeddings.model_id.replace(':', '-').replace('/', '-')}"
            self._stores[kind] = Chroma(
                collection_name=name[:60].lower(),
                embedding_function=self.embeddings,
                client=self._connect(),
                collection_configuration={"hnsw": {"space": "cosine"}},
            )
        return self._stores[kind]

    def _existing(self, kind: PassageKind) -> dict[str, dict[str, Any]]:
        found = self._store(kind).get(include=["metadatas"])
        return dict(zip(found["ids"], found["metadatas"], strict=True))

    def count(self, kind: PassageKind) -> int:
        return len(self._store(kind).get(include=[])["ids"])

    def sync(
        self,
        kind: PassageKind,
        passages: Sequence[Passage],
        *,
        scope: Callable[[dict[str, Any]], bool] | None = None,
        progress: Progress | None = None,
        batch_size: int = 64,
    ) -> SyncResult:
        """Make the collection hold exactly ``passages`` (within ``scope``, if given)."""
        existing = self._existing(kind)
        wanted = {p.id: p for p in passages}
        stale = [pid for pid, meta in existing.items() if pid not in wanted and (scope is None or scope(meta))]
        changed = [p for p in passages if p.id in existing and existing[p.id].get("hash") != p.content_hash]
        new = [p for p in passages if p.id not in existing]
        unchanged = len(passages) - len(changed) - len(new)
        store = self._store(kind)
        if stale or changed:
            store.delete(ids=stale + [p.id for p in changed])
        if progress:
            progress(unchanged + len(stale))
        todo = changed + new
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            store.add_texts(
                texts=[p.text for p in batch], metadatas=[_metadata(p) for p in batch], ids=[p.id for p in batch]
            )
            if progress:
                progress(len(batch))
        return SyncResult(kind, added=len(new), updated=len(changed), removed=len(stale), unchanged=unchanged)

    def search(
        self,
        kind: PassageKind,
        query: str | list[float],
        *,
        k: int = 4,
        where: dict[str, Any] | None = None,
    ) -> list[tuple[Passage, float]]:
        """Nearest passages with a similarity in [0, 1] (1 = same direction)."""
        store = self._store(kind)
        vector = self.embeddings.embed_query(query) if isinstance(query, str) else query
        try:
            hits = store.similarity_search_by_vector_with_relevance_scores(vector, k=k, filter=where)
        except Exception as exc:
            raise BackendUnavailable(f"Vector search in {self.location} failed: {exc}") from exc
        return [(_passage(doc.id, doc.page_content, doc.metadata), float(score)) for doc, score in hits]

    def vectors(self, kind: PassageKind) -> tuple[list[Passage], Any]:
        """Every passage of a kind with its stored embedding (used to train the detector)."""
        import numpy as np

        found = self._store(kind).get(include=["documents", "metadatas", "embeddings"])
        passages = [
            _passage(pid, text, meta)
            for pid, text, meta in zip(found["ids"], found["documents"], found["metadatas"], strict=True)
        ]
        matrix = np.asarray(found["embeddings"], dtype=np.float32) if passages else np.zeros((0, 0))
        return passages, matrix
