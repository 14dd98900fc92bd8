"""Usage errors print click's usage line and one error, exit 2, and never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

CASES = [
    ["review"],
    ["review", "--bogus", "x"],
    ["evidence", "--nope"],
    ["check"],
    ["check", "--workers", "many", "x"],
    ["ingest", "--bogus"],
    ["packs", "show"],
    ["packs", "list", "--bogus"],
    ["eval", "run", "--limit", "zero"],
    ["eval", "compare"],
    ["eval", "calibrate", "--folds", "one"],
    ["serve", "--port", "http"],
    ["chat", "--bogus"],
    ["no-such-command"],
]


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a))
def test_usage_error_prints_usage_and_one_line(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from assistant.cli import main; main()", *argv],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Usage: " in result.stderr and "Error: " in result.stderr
