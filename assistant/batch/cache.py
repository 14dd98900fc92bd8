"""Results of earlier runs, so a re-run (or a resumed one) only checks entries that changed.

The key covers everything a result depends on: the entry's bytes and metadata, the programme
pack, the knowledge base, the settings that change detection, and the code itself.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

from assistant.batch.models import BatchItem
from assistant.packs import Programme
from assistant.settings import Settings

_SCHEMA = "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, payload TEXT NOT NULL)"


@functools.cache
def code_version() -> str:
    """The package version plus a hash of the library's source, so any code change invalidates."""
    digest = hashlib.sha256()
    try:
        digest.update(metadata.version("shortlist").encode())
    except metadata.PackageNotFoundError:
        digest.update(b"unversioned")
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def context_key(*, settings: Settings, knowledge_hash: str, programme: Programme, previous: list[str]) -> str:
    """What every entry of one run shares."""
    parts = {
        "code": code_version(),
        "knowledge": knowledge_hash,
        "programme": hashlib.sha256(programme.model_dump_json().encode()).hexdigest(),
        "embeddings": settings.embeddings.model,
        "detection": settings.detection.model_dump(mode="json"),
        "eligibility_review": settings.eligibility_review,
        "max_chars": settings.limits.max_draft_chars,
        "previous": [hashlib.sha256(text.encode()).hexdigest() for text in previous],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def item_key(context: str, item: BatchItem) -> str:
    fields = item.model_dump(mode="json", exclude={"index", "data", "text"})
    content = item.data if item.data is not None else (item.text or "").encode()
    fields["content"] = hashlib.sha256(content).hexdigest()
    fields["has_text"] = item.text is not None
    return hashlib.sha256((context + json.dumps(fields, sort_keys=True)).encode()).hexdigest()


class ResultCache:
    """A small SQLite table of key -> JSON payload; safe to share between threads of one process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(_SCHEMA)
            self._connection = connection
        return self._connection

    def get_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        with self._lock:
            connection = self._connect()
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, payload FROM results WHERE key IN ({marks})"
                for key, payload in connection.execute(query, chunk):
                    found[key] = json.loads(payload)
        return found

    def put(self, key: str, payload: dict[str, Any]) -> None:
        with self._lock:
            connection = self._connect()
            with connection:
                connection.execute(
                    "INSERT OR REPLACE INTO results (key, payload) VALUES (?, ?)", (key, json.dumps(payload))
                )

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
