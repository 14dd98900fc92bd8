"""Entry texts for the eligibility tests: realistic, fictional, each clean unless a test plants a problem."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def entry_text(name: str) -> str:
    return (DATA / f"{name}.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def acute_text() -> str:
    return entry_text("acute_good")


@pytest.fixture(scope="session")
def mental_health_text() -> str:
    return entry_text("mental_health")
