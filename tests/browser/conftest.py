"""A real server (``shortlist serve`` in a subprocess on 127.0.0.1) and Debian's Chromium via Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import LiveServer, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip("Debian Chromium is not installed: apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, message_model_files: list[Path]) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("live") / "data", free_port())
    (server.data_dir / "cache").mkdir(parents=True)
    for path in message_model_files:
        shutil.copy2(path, server.data_dir / "cache" / path.name)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def screenshots(artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
