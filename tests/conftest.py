"""Shared fixtures. The real embedding model is loaded once per session; fakes are providers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.settings import REPO_ROOT, Settings

SAMPLES = REPO_ROOT / "knowledge" / "samples"
ARTIFACTS = REPO_ROOT / "test-artifacts"


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for tests: never read the developer's environment."""
    values: dict[str, object] = {"data_dir": data_dir}
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture(autouse=True)
def _no_shortlist_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("SHORTLIST_"):
            monkeypatch.delenv(key)
    yield


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The production wiring: bundled MiniLM, a Chroma store on disk, the trained detector."""
    settings = make_settings(tmp_path_factory.mktemp("real-data"))
    assistant = Assistant.from_settings(settings)
    assistant.ingest_knowledge()
    return assistant


@pytest.fixture(scope="session")
def message_model_files(real_assistant: Assistant) -> list[Path]:
    """The chat's fine-tuned message model, trained once per session; servers started by tests copy
    these cache files into their own data dir instead of fine-tuning again."""
    real_assistant.prepare_messages()
    return sorted((real_assistant.settings.data_dir / "cache").glob("messages-*"))


@pytest.fixture(scope="session")
def fake_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """Same code path with the deterministic fake embeddings: fast, for plumbing tests."""
    settings = make_settings(tmp_path_factory.mktemp("fake-data"), embeddings={"model": "fake:384"})
    assistant = Assistant.from_settings(settings)
    assistant.ingest_knowledge()
    return assistant


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
