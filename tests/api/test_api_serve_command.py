"""`shortlist serve`: binds 127.0.0.1:8000 by default and serves the app factory through uvicorn."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from assistant.cli import app


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_serve_defaults_to_localhost_and_prints_the_url(uvicorn_calls: list[Any]) -> None:
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8000/" in result.output
    [(args, kwargs)] = uvicorn_calls
    assert args == ("api.app:create_app",)
    assert kwargs["factory"] is True and kwargs["reload"] is False
    assert (kwargs["host"], kwargs["port"]) == ("127.0.0.1", 8000)


def test_serve_takes_host_and_port(uvicorn_calls: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHORTLIST_AUTH__ORGANISER_KEYS", "first-key-0123456789,second-key-0123456789")
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "http://0.0.0.0:8123/" in result.output
    assert "first-key" not in result.output, "keys are never printed"
    assert (uvicorn_calls[0][1]["host"], uvicorn_calls[0][1]["port"]) == ("0.0.0.0", 8123)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "shortlist.example.org"])
def test_serve_refuses_a_reachable_host_without_organiser_keys(uvicorn_calls: list[Any], host: str) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", host])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "SHORTLIST_AUTH__ORGANISER_KEYS" in output and "--no-auth" in output
    assert uvicorn_calls == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_serve_on_loopback_needs_no_keys(uvicorn_calls: list[Any], host: str) -> None:
    assert CliRunner().invoke(app, ["serve", "--host", host]).exit_code == 0
    assert len(uvicorn_calls) == 1


def test_no_auth_serves_a_reachable_host_with_a_warning(uvicorn_calls: list[Any]) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--no-auth"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "--no-auth" in output and "open to anyone" in output
    assert uvicorn_calls[0][1]["host"] == "0.0.0.0"


def test_serve_refuses_a_bad_port() -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code != 0


def test_db_upgrade_and_purge_work_on_the_configured_database(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    monkeypatch.setenv("SHORTLIST_DATA_DIR", str(tmp_path))
    upgraded = CliRunner().invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "revision 0001" in upgraded.output and (tmp_path / "shortlist.sqlite3").is_file()
    with sqlite3.connect(tmp_path / "shortlist.sqlite3") as db:
        db.execute("INSERT INTO chat_conversations (id, created_at, updated_at) VALUES "
                   "('stale', '2020-01-01T00:00:00+00:00', '2020-01-01T00:00:00+00:00')")
    purged = CliRunner().invoke(app, ["db", "purge", "--days", "30"])
    assert purged.exit_code == 0, purged.output
    assert "Deleted 1 conversations and 0 batches" in " ".join(purged.output.split())
    with sqlite3.connect(tmp_path / "shortlist.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM chat_conversations").fetchone() == (0,)
    bad = CliRunner().invoke(app, ["db", "upgrade"], env={"SHORTLIST_DATABASE__URL": "mysql://nobody@127.0.0.1/x"})
    assert bad.exit_code != 0


def test_serve_caps_malloc_arenas_unless_the_environment_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    from assistant.cli.commands_serve import limit_malloc_arenas

    try:
        ctypes.CDLL("libc.so.6").mallopt  # noqa: B018
    except (OSError, AttributeError):
        pytest.skip("not glibc")
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is True
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False
