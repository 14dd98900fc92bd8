"""One exception hierarchy for the whole product; the API and CLI map it in one place each."""

from __future__ import annotations


class ShortlistError(Exception):
    """Root of every error Shortlist raises on purpose. ``code`` is stable for scripts."""

    code = "shortlist_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(ShortlistError):
    """Settings, packs or knowledge files are wrong, or an optional extra is missing."""

    code = "config_error"


class NotFound(ShortlistError):
    """A programme, category, conversation, batch or file does not exist."""

    code = "not_found"


class InvalidInput(ShortlistError):
    """The caller's input (a draft, an upload, a request) cannot be used."""

    code = "invalid_input"


class BackendUnavailable(ShortlistError):
    """A model, vector store or LLM endpoint could not be reached or loaded."""

    code = "backend_unavailable"


class Unauthorised(ShortlistError):
    """An endpoint that needs a key was called without a valid one."""

    code = "unauthorized"


class Conflict(ShortlistError):
    """Another request changed the same thing first; reload and try again."""

    code = "conflict"
