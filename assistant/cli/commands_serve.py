"""`shortlist serve`: the API and the web page on one local port.

FastAPI is imported by uvicorn inside the command (``api.app:create_app`` as a factory), so
importing the CLI never pulls in the web framework.
"""

from __future__ import annotations

import ctypes
import ipaddress
import logging
import os
from typing import Annotated

import typer

from assistant.cli.context import console, err_console
from assistant.settings import get_settings

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
M_ARENA_MAX = -8  # glibc's mallopt parameter number
MALLOC_ARENAS = 2


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas. Each server thread that allocates gets an arena of its own (up to 8 per
    core) and memory freed there is kept, so under load the server's RSS creeps up with the number of
    threads that ever ran a request; a small cap bounds it. MALLOC_ARENA_MAX in the environment wins.
    Returns whether the cap was set (False on a C library without mallopt)."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach a server bound to ``host``."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on; keep 127.0.0.1 unless behind a proxy")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on")] = 8000,
    reload: Annotated[bool, typer.Option("--reload/--no-reload", help="Restart when code changes (development)")]
    = False,
    no_auth: Annotated[bool, typer.Option(
        "--no-auth", help="Serve a non-loopback host without organiser keys: anyone who can reach the port can "
        "upload and read batches")] = False,
) -> None:
    """Serve the web page and the API (data under SHORTLIST_DATA_DIR, or SHORTLIST_DATABASE__URL).

    On any host but loopback, set SHORTLIST_AUTH__ORGANISER_KEYS first (or pass --no-auth)."""
    import uvicorn

    settings = get_settings()
    if not is_loopback(host) and not settings.auth.key_hashes():
        if not no_auth:
            err_console.print(
                f"Refusing to serve on {host} without organiser keys: anyone who can reach it could upload and "
                "read organisers' batches. Set SHORTLIST_AUTH__ORGANISER_KEYS to one or more long random keys "
                "(comma-separated; e.g. from `python -c \"import secrets; print(secrets.token_urlsafe(32))\"`), "
                "or pass --no-auth to serve without them.", highlight=False,
            )
            raise typer.Exit(2)
        err_console.print(f"Warning: serving on {host} with --no-auth; the batch endpoints are open to anyone "
                          "who can reach this port.", style="yellow", highlight=False)
    limit_malloc_arenas()
    logging.getLogger("api").setLevel(logging.INFO)
    url_host = f"[{host}]" if ":" in host else host
    console.print(f"Shortlist on [bold]http://{url_host}:{port}/[/bold] (API docs at /docs)", highlight=False)
    console.print(
        f"Data in {settings.data_dir.resolve()}. The first start embeds the knowledge base, which takes a minute "
        "or two; later starts take seconds.", highlight=False, style="dim",
    )
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, reload=reload, log_level="info")


db_app = typer.Typer(help="The database of conversations and batches (SHORTLIST_DATABASE__URL, else SQLite).",
                     no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the schema to the newest version (servers also do this when they start)."""
    from assistant.database import Database, current_revision, describe

    settings = get_settings()
    database = Database(settings.database_url)
    try:
        console.print(f"{describe(settings.database_url)}: schema at revision {current_revision(database)}",
                      highlight=False)
    finally:
        database.close()


@db_app.command("purge")
def db_purge(
    days: Annotated[float | None, typer.Option(
        "--days", min=0, help="Delete conversations untouched, and batches finished, more than this many days ago "
        "(default: SHORTLIST_SERVER__RETENTION_DAYS)")] = None,
) -> None:
    """Delete old conversations and batches now, as the server does hourly."""
    import datetime as dt

    from assistant.batch.jobs import purge_finished
    from assistant.chat.store import ConversationStore
    from assistant.database import Database

    settings = get_settings()
    age = settings.server.retention_days if days is None else days
    if age <= 0:
        err_console.print("Retention is off (0 days): nothing to purge.", highlight=False)
        return
    database = Database(settings.database_url)
    try:
        older = dt.timedelta(days=age)
        conversations = ConversationStore(database).purge(older)
        batches = purge_finished(database, older)
    finally:
        database.close()
    console.print(f"Deleted {conversations} conversations and {batches} batches older than {age:g} days.",
                  highlight=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")
