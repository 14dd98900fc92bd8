"""Overload is refused early and politely: per-client rate limits (429) and a bounded review queue (503).

Heavy requests are the ones that run the embedding model or the detector: reviews, evidence and
eligibility checks, chat messages and batch uploads. At most ``server.max_concurrent_reviews`` run
at once; up to ``server.review_queue`` more wait (each at most ``server.queue_timeout_s``); any
beyond that are answered 503 at once, with ``Retry-After``. Each client (its address, as uvicorn
reports it, which honours ``X-Forwarded-For`` from trusted proxies) has a token bucket of
``server.rate_burst`` heavy requests refilled at ``server.rate_per_minute``; an empty bucket is a
429 with ``Retry-After``. Buckets are kept for the last ``server.rate_clients`` clients (LRU), so
memory does not grow with traffic. All bounds are per process.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.settings import ServerSettings

HEAVY = [
    ("POST", re.compile(r"^/api/reviews/?$")),
    ("POST", re.compile(r"^/api/evidence/?$")),
    ("POST", re.compile(r"^/api/eligibility/?$")),
    ("POST", re.compile(r"^/api/conversations/[^/]+/messages/?$")),
    ("POST", re.compile(r"^/api/batches/?$")),
]


def is_heavy(method: str, path: str) -> bool:
    return any(method == m and pattern.match(path) for m, pattern in HEAVY)


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets per client key, LRU-bounded."""

    def __init__(self, per_minute: int, burst: int, clients: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clients = clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """0 if the request may go ahead, else the seconds until the client may try again."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.pop(client, None) or _Bucket(tokens=float(self.burst), stamp=now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            self._buckets[client] = bucket
            while len(self._buckets) > self.clients:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)


class ReviewGate:
    """At most ``slots`` heavy requests at once and ``queue`` waiting; counts are for /api/health."""

    def __init__(self, slots: int, queue: int, timeout: float) -> None:
        self.slots = slots
        self.queue = queue
        self.timeout = timeout
        self.running = 0
        self.waiting = 0
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _sem(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:  # a new server (or test client) loop
            self._semaphore, self._loop = asyncio.Semaphore(self.slots), loop
            self.running = self.waiting = 0
        return self._semaphore

    async def enter(self) -> bool:
        """True once a slot is held; False when the queue is full or the wait timed out."""
        semaphore = self._sem()
        if self.running < self.slots and self.waiting == 0:
            await semaphore.acquire()
            self.running += 1
            return True
        if self.waiting >= self.queue:
            return False
        self.waiting += 1
        try:
            await asyncio.wait_for(semaphore.acquire(), self.timeout)
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
        self.running += 1
        return True

    def leave(self) -> None:
        self.running -= 1
        if self._semaphore is not None:
            self._semaphore.release()


async def _refuse(send: Send, status: int, code: str, detail: str, retry_after: float) -> None:
    body = json.dumps({"detail": detail, "code": code}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(max(1, math.ceil(retry_after))).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})


def build_guards(settings: ServerSettings) -> tuple[ReviewGate, RateLimiter | None]:
    limiter = RateLimiter(settings.rate_per_minute, settings.rate_burst, settings.rate_clients) if (
        settings.rate_per_minute > 0) else None
    return ReviewGate(settings.max_concurrent_reviews, settings.review_queue, settings.queue_timeout_s), limiter


class OverloadMiddleware:
    def __init__(self, app: ASGIApp, *, gate: ReviewGate, limiter: RateLimiter | None) -> None:
        self.app = app
        self.gate = gate
        self.limiter = limiter
        self.retry_after = max(1.0, gate.timeout / 6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_heavy(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.limiter is not None:
            client = scope.get("client")
            wait = self.limiter.take(client[0] if client else "unknown")
            if wait > 0:
                await _refuse(send, 429, "rate_limited", "Too many requests from this client; wait and try again.",
                              wait)
                return
        if not await self.gate.enter():
            await _refuse(send, 503, "overloaded",
                          "The server is busy with other reviews; try again in a few seconds.", self.retry_after)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.gate.leave()
