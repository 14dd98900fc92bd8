"""GET /: the entrant's page. It is static HTML + JS that talks only to the public API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.routers.health import package_version
from assistant.eligibility.entrants import SECTOR_LABELS

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

# No inline script or style, nothing from other origins: hostile draft text cannot run.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    sectors = [(sector, label[0].upper() + label[1:]) for sector, label in SECTOR_LABELS.items()]
    response = templates.TemplateResponse(request, "index.html", {"version": package_version(), "sectors": sectors})
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
