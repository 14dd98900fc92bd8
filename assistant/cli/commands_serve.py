"""`shortlist serve`: the API and the web page on one local port.

FastAPI is imported by uvicorn inside the command (``api.app:create_app`` as a factory), so
importing the CLI never pulls in the web framework.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from assistant.cli.context import console
from assistant.settings import get_settings


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on; keep 127.0.0.1 unless behind a proxy")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on")] = 8000,
    reload: Annotated[bool, typer.Option("--reload/--no-reload", help="Restart when code changes (development)")]
    = False,
) -> None:
    """Serve the web page and the API (data under SHORTLIST_DATA_DIR)."""
    import uvicorn

    settings = get_settings()
    logging.getLogger("api").setLevel(logging.INFO)
    url_host = f"[{host}]" if ":" in host else host
    console.print(f"Shortlist on [bold]http://{url_host}:{port}/[/bold] (API docs at /docs)", highlight=False)
    console.print(
        f"Data in {settings.data_dir.resolve()}. The first start embeds the knowledge base, which takes a minute "
        "or two; later starts take seconds.", highlight=False, style="dim",
    )
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, reload=reload, log_level="info")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
