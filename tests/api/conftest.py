"""API fixtures: one app per session on the fake embeddings, in a temporary data dir."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api import create_app
from assistant.settings import REPO_ROOT, Settings

SAMPLE = REPO_ROOT / "knowledge" / "samples" / "hospital-at-home-draft.md"
ErrorCheck = Callable[[httpx.Response, int, str], dict[str, str]]


def plumbing_settings(data_dir: Path, **overrides: object) -> Settings:
    """Fake embeddings and rules-only detection: the same code path, started in seconds. One test client
    sends every request, so per-client rate limits are off unless a test turns them on."""
    values: dict[str, object] = {
        "data_dir": data_dir, "embeddings": {"model": "fake:384"}, "detection": {"classifier": False},
        "server": {"rate_per_minute": 0},
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return plumbing_settings(tmp_path_factory.mktemp("api-data"))


@pytest.fixture(scope="session")
def client(api_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def sample_draft() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _check_error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    body: dict[str, str] = response.json()
    assert set(body) == {"detail", "code"}, body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and len(body["detail"]) > 10
    return body


@pytest.fixture(scope="session")
def assert_error() -> ErrorCheck:
    """Every error has exactly the body {"detail", "code"}, with a sentence in detail."""
    return _check_error
