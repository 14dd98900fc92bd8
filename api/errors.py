"""Every error the API returns has one shape: ``{"detail": "<what to do>", "code": "<stable code>"}``.

One handler maps the library's ``ShortlistError`` hierarchy, request-validation failures and
HTTP-level errors (unknown route, body too large) to that shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from api.limits import LIMIT_SCOPE_KEY
from assistant.errors import (
    BackendUnavailable,
    ConfigError,
    Conflict,
    InvalidInput,
    NotFound,
    ShortlistError,
    Unauthorised,
)

log = logging.getLogger(__name__)



class ErrorBody(BaseModel):
    detail: str = Field(description="One sentence saying what went wrong and what to do")
    code: str = Field(description="Stable machine-readable code, e.g. 'not_found' or 'too_large'")


class TooLarge(InvalidInput):
    """A draft, upload or request body is over the configured limit."""

    code = "too_large"


class UnsupportedMediaType(InvalidInput):
    """The request's Content-Type is neither JSON nor a multipart upload."""

    code = "unsupported_media_type"


class MalformedJSON(InvalidInput):
    code = "malformed_json"


STATUS: list[tuple[type[ShortlistError], int]] = [
    (TooLarge, 413),
    (UnsupportedMediaType, 415),
    (MalformedJSON, 400),
    (NotFound, 404),
    (Unauthorised, 401),
    (Conflict, 409),
    (InvalidInput, 422),
    (BackendUnavailable, 503),
    (ConfigError, 500),
]

HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}

# Documented on every route that takes a body, so clients see the error shape in /docs.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "Malformed JSON or multipart body (code 'malformed_json' or 'bad_request')"),
        (404, "Unknown programme, category or conversation (code 'not_found')"),
        (413, "Draft, upload or body over the limit (code 'too_large')"),
        (415, "Body is neither JSON nor multipart/form-data (code 'unsupported_media_type')"),
        (422, "Invalid field or unusable draft (code 'validation_error' or 'invalid_input')"),
        (503, "A model, store or LLM endpoint is unavailable (code 'backend_unavailable')"),
    )
}


def _validation_detail(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "malformed_json", "The request body is not valid JSON; send a JSON object."
    problems = []
    for error in errors[:5]:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        problems.append(f"{location}: {error.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return 422, "validation_error", f"Invalid request — {'; '.join(problems)}{more}. Correct it and send it again."


def _http_detail(request: Request, exc: HTTPException) -> str:
    if exc.status_code == 413:
        limit = request.scope.get(LIMIT_SCOPE_KEY)
        size = f" of {limit:,} bytes" if isinstance(limit, int) else ""
        return f"The request body is over the limit{size}; send a smaller draft or file."
    if exc.status_code == 404:
        return f"No such endpoint: {request.method} {request.url.path}; see /docs for the API."
    if exc.status_code == 405:
        return f"{request.method} is not allowed on {request.url.path}; see /docs for the API."
    return str(exc.detail)


async def error_handler(request: Request, exc: Exception) -> JSONResponse:
    """The one place where exceptions become HTTP error bodies."""
    headers: dict[str, str] | None = None
    if isinstance(exc, ShortlistError):
        status = next((s for cls, s in STATUS if isinstance(exc, cls)), 500)
        body = ErrorBody(detail=exc.message, code=exc.code)
    elif isinstance(exc, RequestValidationError):
        status, code, detail = _validation_detail(exc)
        body = ErrorBody(detail=detail, code=code)
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        body = ErrorBody(detail=_http_detail(request, exc), code=HTTP_CODES.get(status, "http_error"))
        headers = dict(exc.headers) if exc.headers else None
    else:
        log.exception("Unhandled error on %s %s", request.method, request.url.path)
        status = 500
        body = ErrorBody(detail="Something went wrong on the server; try again, and report it if it persists.",
                         code="internal_error")
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="shortlist"'}
    if status >= 500 and isinstance(exc, ShortlistError):
        log.warning("%s on %s %s: %s", exc.code, request.method, request.url.path, exc.message)
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def install_error_handler(app: FastAPI) -> None:
    for exc_type in (ShortlistError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(exc_type, error_handler)
