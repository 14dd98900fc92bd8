"""Batches submitted through the API: stored in the database, run in a background thread.

An upload is validated, then stored in the database (bytes and all) before it is queued, so a
restart loses nothing and any replica sharing the database can run it or serve its report. A
replica claims a queued batch with a conditional update, so each batch runs once, and while it
runs it renews a lease (``heartbeat_at``). A batch whose runner stopped cleanly is queued again at
once; one whose runner died (kill -9) is taken over when its lease runs out. The result cache
makes a resumed run skip every entry already checked.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from pathlib import Path, PurePosixPath
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import and_, delete, insert, or_, select, update

from assistant.batch.columns import ColumnMapping
from assistant.batch.inputs import load_upload
from assistant.batch.models import BatchReport
from assistant.batch.report import render
from assistant.batch.runner import run_batch
from assistant.database import Database, batches, sqlite_url
from assistant.errors import InvalidInput, NotFound, ShortlistError
from assistant.service import Assistant

log = logging.getLogger(__name__)

BatchStatus = Literal["queued", "running", "done", "failed"]
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}
_INFO_COLUMNS = ("id", "programme", "name", "status", "total", "done", "created_at", "finished_at", "error")


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime | None = None) -> str:
    return (moment or _now()).isoformat(timespec="seconds")


def _mapping(columns: str | None) -> ColumnMapping | None:
    if not columns:
        return None
    try:
        raw = yaml.safe_load(columns)
        return ColumnMapping.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise InvalidInput(f"The column mapping is not valid YAML of field: column header ({exc}).") from exc


def purge_finished(database: Database, older_than: dt.timedelta) -> int:
    """Delete batches that finished more than ``older_than`` ago; returns how many. Needs no runner."""
    cutoff = _stamp(_now() - older_than)
    with database.begin() as db:
        return int(db.execute(delete(batches).where(
            batches.c.status.in_(("done", "failed")), batches.c.finished_at < cutoff
        )).rowcount)


class _Stopped(Exception):
    """Raised inside a run when the jobs are closing; the batch is queued again for the next start."""


class _Lost(Exception):
    """Raised inside a run when the batch was deleted, or its lease passed to another replica."""


class BatchJobs:
    """Submit, read and delete batches; ``start()`` runs queued ones in a background thread.

    ``database`` is shared with the chat in the app; without it, ``root`` (or the data dir's
    ``batches`` folder) holds a SQLite file of its own.
    """

    def __init__(
        self,
        assistant: Assistant,
        *,
        database: Database | None = None,
        root: Path | None = None,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
    ) -> None:
        self.assistant = assistant
        if database is None:
            folder = root or assistant.settings.data_dir / "batches"
            folder.mkdir(parents=True, exist_ok=True)
            database = Database(sqlite_url(folder / "batches.sqlite3"))
            self._own_database = True
        else:
            self._own_database = False
        self.database = database
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.worker_id = uuid.uuid4().hex
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> BatchJobs:
        """Start the background thread; it runs queued batches, and any whose runner's lease ran out."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="shortlist-batches", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop after the entry in hand; an unfinished batch is queued again for whichever replica is next."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=120)
            self._thread = None
        if self._own_database:
            self.database.close()

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
        with self.database.begin() as db:
            db.execute(insert(batches).values(
                id=batch_id, programme=resolved.id, name=safe_name, status="queued", total=len(items), done=0,
                created_at=_stamp(), columns=columns, upload=data,
            ))
        self._wake.set()
        return self.get(batch_id)

    def get(self, batch_id: str) -> BatchInfo:
        with self.database.connect() as db:
            row = db.execute(select(*(batches.c[key] for key in _INFO_COLUMNS)).where(batches.c.id == batch_id)).first()
        if row is None:
            raise NotFound(f"No batch '{batch_id}'; upload one with POST /api/batches.")
        return BatchInfo.model_validate(row._asdict())

    def report(self, batch_id: str) -> BatchReport:
        with self.database.connect() as db:
            row = db.execute(select(batches.c.status, batches.c.done, batches.c.total, batches.c.report)
                             .where(batches.c.id == batch_id)).first()
        if row is None:
            raise NotFound(f"No batch '{batch_id}'; upload one with POST /api/batches.")
        if row.status != "done" or row.report is None:
            raise NotFound(f"Batch '{batch_id}' has no report yet ({row.status}, {row.done} of {row.total} checked).")
        return BatchReport.model_validate_json(row.report)

    def report_text(self, batch_id: str, fmt: str) -> tuple[str, str]:
        """The report rendered as json, csv or html, with its media type."""
        if fmt not in MEDIA_TYPES:
            raise InvalidInput(f"Unknown report format '{fmt}'; use json, csv or html.")
        return render(self.report(batch_id), fmt, self.assistant.settings.prompts_dir), MEDIA_TYPES[fmt]

    def delete(self, batch_id: str) -> None:
        """Remove the batch, its upload and its report; a run in progress stops at its next entry."""
        with self.database.begin() as db:
            if db.execute(delete(batches).where(batches.c.id == batch_id)).rowcount == 0:
                raise NotFound(f"No batch '{batch_id}'.")


    # -- the background thread --------------------------------------------------------------------
    def _claim(self) -> str | None:
        """Take the oldest runnable batch: queued, or running under a lease that ran out."""
        stale = _stamp(_now() - self.lease)
        runnable = or_(batches.c.status == "queued",
                       and_(batches.c.status == "running", batches.c.heartbeat_at < stale))
        with self.database.connect() as db:
            candidates = db.execute(
                select(batches.c.id).where(runnable).order_by(batches.c.created_at, batches.c.id).limit(8)
            ).scalars().all()
        for batch_id in candidates:
            with self.database.begin() as db:
                taken = db.execute(update(batches).where(batches.c.id == batch_id, runnable).values(
                    status="running", claimed_by=self.worker_id, heartbeat_at=_stamp(),
                )).rowcount
            if taken:
                return str(batch_id)
        return None

    def _update(self, batch_id: str, **fields: object) -> None:
        """Write progress as the batch's holder; _Lost if it was deleted or taken over meanwhile."""
        with self.database.begin() as db:
            changed = db.execute(update(batches).where(
                batches.c.id == batch_id, batches.c.claimed_by == self.worker_id
            ).values(heartbeat_at=_stamp(), **fields)).rowcount
        if changed == 0:
            raise _Lost

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                batch_id = self._claim()
            except ShortlistError as exc:
                log.warning("Cannot look for queued batches: %s", exc.message)
                batch_id = None
            if batch_id is None:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
                continue
            self._run_claimed(batch_id)

    def _run_claimed(self, batch_id: str) -> None:
        beat = threading.Event()
        heart = threading.Thread(target=self._heartbeat, args=(batch_id, beat), daemon=True)
        heart.start()
        try:
            self._run(batch_id)
        except _Stopped:
            self._release(batch_id)
        except _Lost:
            log.info("batch %s was deleted or taken over; stopped", batch_id)
        except ShortlistError as exc:
            self._finish(batch_id, status="failed", error=exc.message)
        except Exception as exc:  # the thread must survive any one batch
            log.exception("batch %s failed", batch_id)
            self._finish(batch_id, status="failed", error=f"Internal error ({type(exc).__name__}).")
        finally:
            beat.set()
            heart.join()

    def _heartbeat(self, batch_id: str, done: threading.Event) -> None:
        """Renew the lease while the batch runs, however long one entry takes."""
        while not done.wait(self.lease.total_seconds() / 3):
            try:
                self._update(batch_id)
            except (_Lost, ShortlistError):
                return

    def _release(self, batch_id: str) -> None:
        try:
            with self.database.begin() as db:
                db.execute(update(batches).where(batches.c.id == batch_id, batches.c.claimed_by == self.worker_id)
                           .values(status="queued", claimed_by=None, heartbeat_at=None))
        except ShortlistError as exc:
            log.warning("batch %s stays claimed until its lease runs out: %s", batch_id, exc.message)

    def _finish(self, batch_id: str, **fields: object) -> None:
        try:
            self._update(batch_id, finished_at=_stamp(), **fields)
        except _Lost:
            pass

    def _run(self, batch_id: str) -> None:
        with self.database.connect() as db:
            row = db.execute(select(batches.c.programme, batches.c.name, batches.c.columns, batches.c.upload)
                             .where(batches.c.id == batch_id)).first()
        if row is None:
            raise _Lost
        programme = self.assistant.packs.programme(row.programme)
        items = load_upload(row.name, bytes(row.upload), programme=programme, mapping=_mapping(row.columns),
                            limits=self.assistant.settings.limits)
        self._update(batch_id, total=len(items), done=0)

        def progress(done: int, total: int) -> None:
            if self._stopping.is_set():
                raise _Stopped
            self._update(batch_id, done=done, total=total)

        report = run_batch(self.assistant, items, programme, progress=progress)
        self._finish(batch_id, status="done", done=len(items), report=report.model_dump_json())
