"""Bearer secrets: conversation tokens and organiser keys are kept only as sha256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

TOKEN_BYTES = 32  # 256 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def matches(secret: str | None, hashes: Iterable[str | None]) -> bool:
    """Whether the secret's hash is one of ``hashes``; every candidate is compared in constant time."""
    if not secret:
        return False
    candidate = digest(secret)
    found = False
    for stored in hashes:
        if stored is not None and hmac.compare_digest(candidate, stored):
            found = True
    return found
