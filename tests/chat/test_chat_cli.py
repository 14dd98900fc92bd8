"""`shortlist chat` in the terminal: a conversation, a new draft version, and resuming by id."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.settings import REPO_ROOT

SAMPLE = REPO_ROOT / "knowledge" / "samples" / "hospital-at-home-draft.md"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHORTLIST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHORTLIST_EMBEDDINGS__MODEL", "fake:384")
    return tmp_path


def test_chat_session_answers_loads_a_draft_and_can_be_resumed(cli_env: Path) -> None:
    runner = CliRunner()
    redraft = cli_env / "v2.md"
    redraft.write_text(SAMPLE.read_text(encoding="utf-8").replace("next year", "in 2026"), encoding="utf-8")
    result = runner.invoke(
        app, ["chat", "--category", "acute-innovation", "--draft", str(SAMPLE)],
        input=f"what's missing from scale?\n/draft {redraft}\n/quit\n",
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # rich wraps at the test terminal's width
    assert "**Scale**" in output and "We will roll the model out" in output
    assert "as version 2" in output
    conversation_id = re.search(r"Conversation (\w+)", output).group(1)  # type: ignore[union-attr]

    resumed = runner.invoke(app, ["chat", "--conversation", conversation_id], input="is this too long\n")
    assert resumed.exit_code == 0, resumed.output
    output = " ".join(resumed.output.split())
    assert "2 draft version(s)" in output and "Version 2 of your draft" in output
    assert f"shortlist chat --conversation {conversation_id}" in output
