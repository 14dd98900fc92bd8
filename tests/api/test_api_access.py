"""Organiser keys on the batch endpoints, and overload: per-client rate limits (429) and a bounded
review queue (503), each with Retry-After."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api import create_app
from api.overload import OverloadMiddleware, RateLimiter, ReviewGate, is_heavy
from tests.api.conftest import plumbing_settings
from tests.batch.planted import build_planted_batch, zipped

ErrorCheck = Callable[[httpx.Response, int, str], dict[str, str]]
KEYS = "organiser-key-one-7f3a9c21d4,organiser-key-two-b8e05d6612"



@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = plumbing_settings(tmp_path_factory.mktemp("keyed"), auth={"organiser_keys": KEYS})
    with TestClient(create_app(settings)) as client:
        yield client


def test_every_batch_endpoint_needs_a_valid_organiser_key(
    keyed: TestClient, tmp_path: Path, assert_error: ErrorCheck, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    right = {"Authorization": "Bearer organiser-key-two-b8e05d6612"}
    wrongs = [{}, {"Authorization": "Bearer organiser-key-three"}, {"Authorization": "organiser-key-two-b8e05d6612"},
              {"Authorization": "Bearer "}, {"Authorization": "Bearer organiser-key-one-7f3a9c21d4,organiser-key-two"}]
    upload = {"files": {"file": ("entries.zip", zipped(build_planted_batch(tmp_path / "e")), "application/zip")},
              "data": {"programme": "hsj-awards-2025"}}
    for headers in wrongs:
        refused = keyed.post("/api/batches", headers=headers, **upload)
        assert_error(refused, 401, "unauthorized")
        assert refused.headers["www-authenticate"].startswith("Bearer")
    created = keyed.post("/api/batches", headers=right, **upload)
    assert created.status_code == 202, created.text
    batch_id = created.json()["id"]
    for method, url in (("GET", f"/api/batches/{batch_id}"), ("GET", f"/api/batches/{batch_id}/report"),
                        ("DELETE", f"/api/batches/{batch_id}")):
        for headers in wrongs:
            assert_error(keyed.request(method, url, headers=headers), 401, "unauthorized")
    assert keyed.get(f"/api/batches/{batch_id}", headers=right).status_code == 200
    first_key = {"Authorization": "Bearer organiser-key-one-7f3a9c21d4"}
    assert keyed.get(f"/api/batches/{batch_id}/report", headers=first_key).status_code in (200, 409)
    assert keyed.delete(f"/api/batches/{batch_id}", headers=right).status_code == 204
    assert_error(keyed.get(f"/api/batches/{batch_id}", headers=right), 404, "not_found")
    assert_error(keyed.delete(f"/api/batches/{batch_id}", headers=right), 404, "not_found")
    # Entrants' endpoints stay open; the keys are never logged.
    assert keyed.get("/api/health").status_code == 200
    assert "organiser-key" not in caplog.text


def test_without_keys_the_batch_endpoints_are_open_as_on_one_machine(client: TestClient) -> None:
    assert client.get("/api/batches/0123456789abcdef").status_code == 404


def test_the_rate_limit_answers_429_with_retry_after_per_client(tmp_path: Path, assert_error: ErrorCheck) -> None:
    # One request a minute: the bucket cannot refill while the first two run, however slow the machine.
    settings = plumbing_settings(tmp_path / "data", server={"rate_per_minute": 1, "rate_burst": 2})
    body = {"category": "acute-innovation", "programme": "hsj-awards-2025", "text": "## Impact\n\nWaits fell."}
    app = create_app(settings)
    with TestClient(app) as client:
        assert [client.post("/api/reviews", json=body).status_code for _ in range(2)] == [200, 200]
        limited = client.post("/api/reviews", json=body)
        assert_error(limited, 429, "rate_limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert client.get("/api/health").status_code == 200, "light requests are not limited"
        other = TestClient(app, client=("203.0.113.9", 50000))  # another address: a bucket of its own
        assert other.post("/api/reviews", json=body).status_code == 200


def test_the_rate_limiter_refills_and_remembers_a_bounded_number_of_clients() -> None:
    limiter = RateLimiter(per_minute=60, burst=2, clients=3)
    assert [limiter.take("a", now=0.0) for _ in range(2)] == [0.0, 0.0]
    assert limiter.take("a", now=0.0) == pytest.approx(1.0)
    assert limiter.take("a", now=0.5) == pytest.approx(0.5)
    assert limiter.take("a", now=1.6) == 0.0
    for client in ("b", "c", "d", "e"):
        limiter.take(client, now=2.0)
    assert len(limiter) == 3, "the least recently seen clients are forgotten"


def test_heavy_routes_are_the_ones_that_run_the_model() -> None:
    assert is_heavy("POST", "/api/reviews") and is_heavy("POST", "/api/conversations/abc/messages")
    assert is_heavy("POST", "/api/batches") and is_heavy("POST", "/api/eligibility")
    assert not is_heavy("GET", "/api/conversations/abc") and not is_heavy("POST", "/api/conversations")
    assert not is_heavy("GET", "/api/batches/abc")


def _slow_app(release: asyncio.Event, gate: ReviewGate) -> Starlette:
    async def review(request: Request) -> JSONResponse:
        await release.wait()
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/api/reviews", review, methods=["POST"])])
    app.add_middleware(OverloadMiddleware, gate=gate, limiter=None)
    return app


def test_beyond_the_slots_and_the_queue_requests_get_503_with_retry_after() -> None:
    async def scenario() -> list[httpx.Response]:
        release = asyncio.Event()
        gate = ReviewGate(slots=2, queue=1, timeout=30)
        transport = httpx.ASGITransport(app=_slow_app(release, gate))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            pending = [asyncio.create_task(http.post("/api/reviews")) for _ in range(3)]
            while gate.running + gate.waiting < 3:
                await asyncio.sleep(0.01)
            assert (gate.running, gate.waiting) == (2, 1)
            refused = await http.post("/api/reviews")  # two running, one waiting: the queue is full
            release.set()
            done = await asyncio.gather(*pending)
            assert (gate.running, gate.waiting) == (0, 0)
            return [refused, *done]

    refused, *done = asyncio.run(scenario())
    assert refused.status_code == 503 and refused.json()["code"] == "overloaded"
    assert int(refused.headers["retry-after"]) >= 1
    assert [r.status_code for r in done] == [200, 200, 200], "queued requests run once a slot frees"


def test_a_request_that_waits_longer_than_the_timeout_gets_503() -> None:
    async def scenario() -> httpx.Response:
        release = asyncio.Event()
        gate = ReviewGate(slots=1, queue=5, timeout=0.2)
        transport = httpx.ASGITransport(app=_slow_app(release, gate))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            first = asyncio.create_task(http.post("/api/reviews"))
            while gate.running < 1:
                await asyncio.sleep(0.01)
            waited = await http.post("/api/reviews")
            release.set()
            assert (await first).status_code == 200
            return waited

    waited = asyncio.run(scenario())
    assert waited.status_code == 503 and "retry-after" in waited.headers
