"""Bodies that carry a draft arrive either as JSON or as a multipart upload with a ``file`` field.

``draft_body(Model)`` returns a dependency that accepts both and yields the same validated model:
an upload is parsed to text by the Assistant (``read_upload``) and takes the place of ``text``.
Size limits from the settings are checked here, so an over-limit draft is a 413 whichever way it came.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile as FormFile

from api.deps import get_assistant
from api.errors import MalformedJSON, TooLarge, UnsupportedMediaType
from assistant.documents import Document
from assistant.errors import InvalidInput
from assistant.service import Assistant

M = TypeVar("M", bound=BaseModel)
MAX_FORM_FIELDS = 8


async def _json_fields(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise MalformedJSON("The request body is empty; send a JSON object.")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedJSON(f"The request body is not valid JSON ({exc}); send a JSON object.") from exc
    except RecursionError as exc:
        raise MalformedJSON("The request body nests too deeply to be a draft; send a flat JSON object.") from exc


async def read_upload(upload: FormFile, assistant: Assistant) -> Document:
    """Parse an uploaded draft; the size check comes first so a huge file is never parsed."""
    max_bytes = assistant.settings.limits.max_upload_bytes
    data = await upload.read(max_bytes + 1)
    name = upload.filename or "upload"
    if len(data) > max_bytes:
        raise TooLarge(f"{name}: the file is over the upload limit of {max_bytes:,} bytes; "
                       "upload a smaller file or paste the text.")
    return await run_in_threadpool(assistant.read_upload, name, data)


async def _upload_fields(request: Request, assistant: Assistant) -> dict[str, Any]:
    form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=64 * 1024)
    upload = form.get("file")
    if not isinstance(upload, FormFile):
        raise InvalidInput("Attach the draft as a form field named 'file', or send JSON with a 'text' field.")
    document = await read_upload(upload, assistant)
    fields: dict[str, Any] = {key: value for key, value in form.items() if key != "file" and isinstance(value, str)}
    fields["text"] = document.text
    if document.hidden:
        fields["hidden"] = list(document.hidden)
    return fields


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_draft_body(request: Request, model: type[M], assistant: Assistant) -> M:
    kind = _content_type(request)
    if kind == "application/json" or kind.endswith("+json"):
        fields = await _json_fields(request)
    elif kind == "multipart/form-data":
        fields = await _upload_fields(request, assistant)
    else:
        raise UnsupportedMediaType(
            f"Send the body as application/json or as multipart/form-data with a 'file' (got '{kind or 'none'}')."
        )
    try:
        body = model.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_context=False)]
        ) from exc
    text = getattr(body, "text", None)
    max_chars = assistant.settings.limits.max_draft_chars
    if isinstance(text, str) and len(text) > max_chars:
        raise TooLarge(f"The draft has {len(text):,} characters, over the limit of {max_chars:,}; "
                       "send one entry at a time.")
    return body


def draft_body(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """A dependency reading ``model`` from JSON or from an upload (the file becomes ``text``)."""

    async def dependency(request: Request) -> M:
        return await read_draft_body(request, model, get_assistant(request))

    dependency.__name__ = f"read_{model.__name__}"
    return dependency


def openapi_body(model: type[BaseModel], *, upload: bool = True) -> dict[str, Any]:
    """OpenAPI for a body read by ``draft_body``: the model as JSON and, optionally, as an upload."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if upload:
        properties = {k: v for k, v in schema.get("properties", {}).items() if k != "text"}
        properties["file"] = {"type": "string", "format": "binary",
                              "description": "The draft as .txt, .md, .docx or .pdf; replaces 'text'"}
        required = [name for name in schema.get("required", []) if name != "text"] + ["file"]
        content["multipart/form-data"] = {"schema": {"type": "object", "properties": properties,
                                                     "required": required}}
    return {"requestBody": {"required": True, "content": content}}
