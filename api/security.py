"""Who may call what: organiser keys for batches, owner tokens for conversations.

Both are ``Authorization: Bearer <secret>``. Keys come from ``SHORTLIST_AUTH__ORGANISER_KEYS`` and
are kept only as sha256 hashes; a conversation's token is returned once, when it is created, and
only its hash is stored. A request without the right key is 401; a conversation asked for without
its token is 404, exactly like an unknown id, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request

from api.deps import ChatDep
from assistant.errors import Unauthorised
from assistant.tokens import matches


def bearer(authorization: str | None) -> str | None:
    """The secret of an ``Authorization: Bearer <secret>`` header, or None."""
    if not authorization:
        return None
    scheme, _, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret else None


ConversationId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
AuthorizationHeader = Annotated[str | None, Header(include_in_schema=False)]


def require_organiser(request: Request, authorization: AuthorizationHeader = None) -> None:
    """Pass when no keys are configured (a loopback-only server) or the bearer key is one of them."""
    hashes: frozenset[str] = getattr(request.app.state, "organiser_key_hashes", frozenset())
    if not hashes:
        return
    if not matches(bearer(authorization), hashes):
        raise Unauthorised("This endpoint needs an organiser key: send 'Authorization: Bearer <key>' with a key "
                           "from SHORTLIST_AUTH__ORGANISER_KEYS.")


def require_owner(conversation_id: ConversationId, chat: ChatDep, authorization: AuthorizationHeader = None) -> None:
    """404 unless the request carries the token that was returned when the conversation was created."""
    chat.authorise(conversation_id, bearer(authorization))


OrganiserOnly = Depends(require_organiser)
OwnerOnly = Depends(require_owner)
