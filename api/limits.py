"""Request body limits, checked before a handler parses anything.

Multipart uploads may be as large as ``limits.max_upload_bytes``; every other body (JSON) as large
as a draft of ``limits.max_draft_chars`` characters, escaped. An over-limit body raises a 413
``HTTPException``, so the one error handler gives it the usual ``{"detail", "code"}`` shape.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings

LIMIT_SCOPE_KEY = "shortlist.body_limit"
# Multipart boundaries and the other form fields ride on top of the upload itself.
OVERHEAD = 64 * 1024
# The worst case of a character in JSON is a six-byte escape (\uXXXX).
JSON_BYTES_PER_CHAR = 6


def json_limit(settings: Settings) -> int:
    return settings.limits.max_draft_chars * JSON_BYTES_PER_CHAR + OVERHEAD


def upload_limit(settings: Settings) -> int:
    return settings.limits.max_upload_bytes + OVERHEAD


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413, detail="Request body too large")


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, json_bytes: int, upload_bytes: int, upload_overrides: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.json_bytes = json_bytes
        self.upload_bytes = upload_bytes
        # Path prefix -> upload limit, for routes that take larger files (organisers' batches).
        self.upload_overrides = upload_overrides if upload_overrides is not None else {}

    def _upload_limit(self, path: str) -> int:
        for prefix, limit in self.upload_overrides.items():
            if path == prefix or path.startswith(prefix + "/"):
                return limit
        return self.upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_upload = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self._upload_limit(scope["path"]) if is_upload else self.json_bytes
        scope[LIMIT_SCOPE_KEY] = limit
        declared = headers.get("content-length", "")
        too_large = declared.isdigit() and int(declared) > limit
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if too_large:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited_receive, send)
