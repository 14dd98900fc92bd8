"""Batches submitted through the API: stored in the data dir, run one at a time in a background thread.

An upload is saved to disk and recorded in SQLite before it is queued, so a restart loses
nothing: batches that were queued or running are queued again when the jobs start, and the
result cache makes the resumed run skip every entry already checked.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import sqlite3
import threading
import time
import uuid
from pathlib import Path, PurePosixPath
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.batch.columns import ColumnMapping
from assistant.batch.inputs import load_upload
from assistant.batch.models import BatchReport
from assistant.batch.report import render
from assistant.batch.runner import run_batch
from assistant.errors import InvalidInput, NotFound, ShortlistError
from assistant.service import Assistant

log = logging.getLogger(__name__)

BatchStatus = Literal["queued", "running", "done", "failed"]
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY, programme TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
    total INTEGER NOT NULL, done INTEGER NOT NULL, created_at TEXT NOT NULL, finished_at TEXT,
    error TEXT, columns TEXT
)
"""


class BatchInfo(BaseModel):
    """A batch's progress: ``done`` of ``total`` entries checked."""

    model_config = ConfigDict(extra="forbid")

    id: str
    programme: str
    name: str
    status: BatchStatus
    total: int
    done: int
    created_at: str
    finished_at: str | None = None
    error: str | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _mapping(columns: str | None) -> ColumnMapping | None:
    if not columns:
        return None
    try:
        raw = yaml.safe_load(columns)
        return ColumnMapping.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise InvalidInput(f"The column mapping is not valid YAML of field: column header ({exc}).") from exc


class _Stopped(Exception):
    """Raised inside a run when the jobs are closing; the batch stays queued for the next start."""


class BatchJobs:
    def __init__(self, assistant: Assistant, *, root: Path | None = None) -> None:
        self.assistant = assistant
        self.root = root or assistant.settings.data_dir / "batches"
        self.root.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.root / "batches.sqlite3", check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> BatchJobs:
        """Start the background thread and queue again any batch a restart interrupted."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="shortlist-batches", daemon=True)
            self._thread.start()
            with self._lock:
                rows = self._db.execute(
                    "SELECT id FROM batches WHERE status IN ('queued', 'running') ORDER BY created_at, id"
                ).fetchall()
            for (batch_id,) in rows:
                self._queue.put(batch_id)
        return self

    def close(self) -> None:
        """Stop after the entry in hand; an unfinished batch resumes when the jobs next start."""
        self._stopping.set()
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=120)
            self._thread = None
        with self._lock:
            self._db.close()

    def wait(self, batch_id: str, timeout: float = 600.0) -> BatchInfo:
        """Block until the batch is finished (for scripts and tests)."""
        deadline = time.monotonic() + timeout
        info = self.get(batch_id)
        while info.status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
            info = self.get(batch_id)
        return info

    # -- requests ---------------------------------------------------------------------------------
    def submit(self, name: str, data: bytes, *, programme: str, columns: str | None = None) -> BatchInfo:
        """Validate and store an upload, then queue it; bad uploads are refused here, not later."""
        limit = self.assistant.settings.limits.max_batch_upload_bytes
        if len(data) > limit:
            raise InvalidInput(
                f"The upload is {len(data):,} bytes, more than {limit:,} (SHORTLIST_LIMITS__MAX_BATCH_UPLOAD_BYTES); "
                "split the batch."
            )
        resolved = self.assistant.packs.programme(programme)
        safe_name = PurePosixPath(name.replace("\\", "/")).name or "upload"
        items = load_upload(safe_name, data, programme=resolved, mapping=_mapping(columns),
                            limits=self.assistant.settings.limits)
        batch_id = uuid.uuid4().hex
        folder = self.root / batch_id
        folder.mkdir()
        (folder / ("upload" + PurePosixPath(safe_name).suffix.lower())).write_bytes(data)
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO batches (id, programme, name, status, total, done, created_at, columns) "
                "VALUES (?, ?, ?, 'queued', ?, 0, ?, ?)",
                (batch_id, resolved.id, safe_name, len(items), _now(), columns),
            )
        self._queue.put(batch_id)
        return self.get(batch_id)

    def get(self, batch_id: str) -> BatchInfo:
        with self._lock:
            row = self._db.execute(
                "SELECT id, programme, name, status, total, done, created_at, finished_at, error FROM batches "
                "WHERE id = ?", (batch_id,),
            ).fetchone()
        if row is None:
            raise NotFound(f"No batch '{batch_id}'; upload one with POST /api/batches.")
        keys = ("id", "programme", "name", "status", "total", "done", "created_at", "finished_at", "error")
        return BatchInfo.model_validate(dict(zip(keys, row, strict=True)))

    def report(self, batch_id: str) -> BatchReport:
        info = self.get(batch_id)
        path = self.root / batch_id / "report.json"
        if info.status != "done" or not path.is_file():
            progress = f"{info.status}, {info.done} of {info.total} checked"
            raise NotFound(f"Batch '{batch_id}' has no report yet ({progress}).")
        return BatchReport.model_validate_json(path.read_text(encoding="utf-8"))

    def report_text(self, batch_id: str, fmt: str) -> tuple[str, str]:
        """The report rendered as json, csv or html, with its media type."""
        if fmt not in MEDIA_TYPES:
            raise InvalidInput(f"Unknown report format '{fmt}'; use json, csv or html.")
        return render(self.report(batch_id), fmt, self.assistant.settings.prompts_dir), MEDIA_TYPES[fmt]

    # -- the background thread --------------------------------------------------------------------
    def _update(self, batch_id: str, **fields: object) -> None:
        assignments = ", ".join(f"{key} = ?" for key in fields)
        with self._lock, self._db:
            self._db.execute(f"UPDATE batches SET {assignments} WHERE id = ?", (*fields.values(), batch_id))

    def _loop(self) -> None:
        while True:
            batch_id = self._queue.get()
            if batch_id is None or self._stopping.is_set():
                return
            try:
                self._run(batch_id)
            except _Stopped:
                return
            except ShortlistError as exc:
                self._update(batch_id, status="failed", error=exc.message, finished_at=_now())
            except Exception as exc:  # the thread must survive any one batch
                log.exception("batch %s failed", batch_id)
                self._update(batch_id, status="failed", error=f"Internal error ({type(exc).__name__}).",
                             finished_at=_now())

    def _run(self, batch_id: str) -> None:
        with self._lock:
            row = self._db.execute("SELECT programme, name, columns FROM batches WHERE id = ?", (batch_id,)).fetchone()
        programme_id, name, columns = row
        folder = self.root / batch_id
        upload = folder / ("upload" + PurePosixPath(name).suffix.lower())
        programme = self.assistant.packs.programme(programme_id)
        items = load_upload(name, upload.read_bytes(), programme=programme, mapping=_mapping(columns),
                            limits=self.assistant.settings.limits)
        self._update(batch_id, status="running", total=len(items), done=0)

        def progress(done: int, total: int) -> None:
            if self._stopping.is_set():
                raise _Stopped
            self._update(batch_id, done=done, total=total)

        report = run_batch(self.assistant, items, programme, progress=progress)
        (folder / "report.json").write_text(json.dumps(report.model_dump(mode="json")), encoding="utf-8")
        self._update(batch_id, status="done", done=len(items), finished_at=_now())
