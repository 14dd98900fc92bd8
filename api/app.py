"""The app factory: ``create_app(settings)`` wires routers, errors and the page; the lifespan builds
the Assistant (and the chat engine) once and syncs the knowledge base before the first request.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handler
from api.limits import OVERHEAD, BodyLimitMiddleware, json_limit, upload_limit
from api.overload import OverloadMiddleware, build_guards
from api.routers import categories, conversations, drafts, eligibility, evidence, health, page, programmes, reviews
from assistant.chat import build_chat_engine
from assistant.database import Database
from assistant.errors import ShortlistError
from assistant.service import Assistant
from assistant.settings import Settings, get_settings

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"
RETENTION_INTERVAL_S = 3600

DESCRIPTION = """
Shortlist reviews healthcare award-entry drafts criterion by criterion and shows the evidence that
is missing, with examples of how past entries supplied it. It never invents a number or a quote.

Every error has the body `{"detail": "<what to do>", "code": "<stable code>"}`.
"""


def prepare_assistant(settings: Settings) -> Assistant:
    assistant = Assistant.from_settings(settings)
    started = time.perf_counter()
    log.info("Syncing the knowledge base (%d passages); the first start embeds them all and takes a while",
             assistant.knowledge_size())
    report = assistant.ingest_knowledge()
    assistant.detector  # noqa: B018 - train the evidence classifier now, not on the first review
    log.info("Knowledge base ready in %.1fs (%d passages embedded)", time.perf_counter() - started, report.changed)
    return assistant


def _prepare_chat(assistant: Assistant) -> None:
    started = time.perf_counter()
    try:
        assistant.prepare_messages()
    except ShortlistError as exc:
        log.error("The chat's message model could not be prepared: %s", exc.message)
        return
    log.info("Chat message model ready in %.1fs", time.perf_counter() - started)


def purge_expired(app: FastAPI) -> int:
    """Delete conversations untouched, and batches finished, more than ``server.retention_days`` ago."""
    settings: Settings = app.state.settings
    if settings.server.retention_days <= 0:
        return 0
    age = dt.timedelta(days=settings.server.retention_days)
    removed: int = app.state.chat.store.purge(age)
    if app.state.batches is not None:
        from assistant.batch.jobs import purge_finished

        removed += purge_finished(app.state.database, age)
    if removed:
        log.info("Retention: deleted %d conversations and batches older than %s days", removed,
                 settings.server.retention_days)
    return removed


def _retention_loop(app: FastAPI, stop: threading.Event) -> None:
    while True:
        try:
            purge_expired(app)
        except ShortlistError as exc:
            log.warning("Retention purge failed: %s", exc.message)
        if stop.wait(RETENTION_INTERVAL_S):
            return


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    database = Database(settings.database_url, pool_size=settings.database.pool_size)
    database.engine  # noqa: B018 - migrate and fail fast on a wrong URL, before the slow start
    app.state.database = database
    assistant = await run_in_threadpool(prepare_assistant, settings)
    app.state.assistant = assistant
    app.state.chat = build_chat_engine(assistant, database=database)
    # The chat's message model trains once (about two minutes) on first start; reviews need not wait for
    # it, and a chat message sent meanwhile waits for it rather than failing.
    threading.Thread(target=_prepare_chat, args=(assistant,), name="message-model", daemon=True).start()
    if app.state.batches is not None:
        app.state.batches.batch_jobs(app)  # resume any batch a restart interrupted
    stop = threading.Event()
    retention = threading.Thread(target=_retention_loop, args=(app, stop), name="retention", daemon=True)
    retention.start()
    try:
        yield
    finally:
        stop.set()
        retention.join(timeout=30)
        jobs = getattr(app.state, "batch_jobs", None)
        if jobs is not None:
            jobs.close()
            app.state.batch_jobs = None
        database.close()


def _include_batches(app: FastAPI, settings: Settings, upload_overrides: dict[str, int]) -> None:
    """The organisers' batch endpoints, when that part of the product is installed."""
    try:
        batches = importlib.import_module("api.routers.batches")
    except ModuleNotFoundError as exc:
        if exc.name != "api.routers.batches":
            raise
        log.info("Batch endpoints are not installed")
        return
    app.include_router(batches.router)
    app.state.batches = batches
    upload_overrides["/api/batches"] = settings.limits.max_batch_upload_bytes + OVERHEAD


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web app; nothing is loaded until the server starts (the lifespan)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Shortlist",
        summary="Criterion-by-criterion review of healthcare award entries",
        description=DESCRIPTION,
        version=health.package_version(),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    upload_overrides: dict[str, int] = {}
    app.add_middleware(BodyLimitMiddleware, json_bytes=json_limit(settings), upload_bytes=upload_limit(settings),
                       upload_overrides=upload_overrides)
    gate, limiter = build_guards(settings.server)
    app.add_middleware(OverloadMiddleware, gate=gate, limiter=limiter)
    app.state.review_gate = gate
    app.state.settings = settings
    app.state.organiser_key_hashes = settings.auth.key_hashes()
    app.state.batches = None
    install_error_handler(app)
    for module in (health, programmes, categories, reviews, evidence, drafts, conversations, eligibility):
        app.include_router(module.router)
    app.include_router(conversations.owned)
    _include_batches(app, settings, upload_overrides)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _include_docs(app)
    app.include_router(page.router)
    return app


def _include_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the files the fastapi-offline package ships: no CDN, so it works offline."""
    import fastapi_offline
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js", swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
        )
