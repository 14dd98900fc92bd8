"""Fixtures for the batch tests: the planted batch on disk and a fast one-worker Assistant."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.settings import Settings
from tests.batch.planted import build_planted_batch


@pytest.fixture()
def planted_batch(tmp_path: Path) -> Path:
    return build_planted_batch(tmp_path / "entries")


@pytest.fixture(scope="session")
def batch_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The fake-embedding wiring with one batch worker: the same code path, fast and in-process."""
    settings = Settings.model_validate(
        {"data_dir": tmp_path_factory.mktemp("batch-data"), "embeddings": {"model": "fake:384"}, "batch_workers": 1}
    )
    assistant = Assistant.from_settings(settings)
    assistant.ingest_knowledge()
    return assistant
