"""Conversations: create, ask (JSON and SSE), add draft versions, survive a restart, belong to their
token's holder, and can be deleted."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api import create_app
from assistant.chat.models import Conversation, Turn
from tests.api.conftest import plumbing_settings

ErrorCheck = Callable[[httpx.Response, int, str], dict[str, str]]
START = {"category": "acute-innovation", "programme": "hsj-awards-2025"}


class Started(Conversation):
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _start(client: TestClient, text: str) -> Started:
    response = client.post("/api/conversations", json={**START, "text": text})
    assert response.status_code == 201, response.text
    return Started.model_validate(response.json())


def _events(raw: str) -> list[tuple[str, str]]:
    events = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "data" in fields:
            events.append((fields.get("event", "message"), fields["data"]))
    return events


def test_create_message_get_keeps_turns_and_versions(client: TestClient, sample_draft: str) -> None:
    conversation = _start(client, sample_draft)
    assert conversation.category == "acute-innovation" and conversation.programme == "hsj-awards-2025"
    assert [v.number for v in conversation.versions] == [1]

    response = client.post(f"/api/conversations/{conversation.id}/messages",
                           json={"content": "What's missing in impact?"}, headers=conversation.auth)
    assert response.status_code == 200, response.text
    turn = Turn.model_validate(response.json())
    assert turn.role == "assistant" and turn.content
    draft_quotes = [c for c in turn.citations if c.kind == "draft"]
    assert draft_quotes and all(c.quote in sample_draft for c in draft_quotes)

    stored = Conversation.model_validate(
        client.get(f"/api/conversations/{conversation.id}", headers=conversation.auth).json())
    assert [t.role for t in stored.turns] == ["user", "assistant"]
    assert stored.turns[-1] == turn


def test_message_streams_as_server_sent_events(client: TestClient, sample_draft: str) -> None:
    conversation = _start(client, sample_draft)
    with client.stream(
        "POST", f"/api/conversations/{conversation.id}/messages",
        json={"content": "What's missing overall?"}, headers={"Accept": "text/event-stream", **conversation.auth},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response.read().decode("utf-8"))
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "turn" and kinds.count("turn") == 1 and "delta" in kinds
    turn = Turn.model_validate_json(events[-1][1])
    assert "".join(json.loads(data)["text"] for kind, data in events if kind == "delta") == turn.content


def test_streaming_to_an_unknown_conversation_is_a_404_not_a_stream(
    client: TestClient, assert_error: ErrorCheck
) -> None:
    response = client.post("/api/conversations/doesnotexist/messages", json={"content": "Hello?"},
                           headers={"Accept": "text/event-stream"})
    assert_error(response, 404, "not_found")


def test_unknown_conversation_is_404(client: TestClient, assert_error: ErrorCheck) -> None:
    assert_error(client.get("/api/conversations/doesnotexist"), 404, "not_found")
    assert_error(client.post("/api/conversations/doesnotexist/messages", json={"content": "Hi"}), 404, "not_found")
    assert_error(client.post("/api/conversations/doesnotexist/versions", json={"text": "A draft."}),
                 404, "not_found")


def test_bad_conversation_id_and_message_are_422(client: TestClient, assert_error: ErrorCheck) -> None:
    assert_error(client.get("/api/conversations/has%20space"), 422, "validation_error")
    conversation = _start(client, "## Impact\n\nWaits fell from 18 to 6 weeks.")
    url, auth = f"/api/conversations/{conversation.id}/messages", conversation.auth
    assert_error(client.post(url, json={"content": ""}, headers=auth), 422, "validation_error")
    assert_error(client.post(url, json={"content": "x" * 4001}, headers=auth), 422, "validation_error")
    assert_error(client.post(url, content=b"{oops", headers={"Content-Type": "application/json", **auth}),
                 400, "malformed_json")


def test_unknown_category_on_create_is_404(client: TestClient, assert_error: ErrorCheck) -> None:
    assert_error(client.post("/api/conversations", json={"category": "best-cake"}), 404, "not_found")


def test_versions_from_json_and_upload_are_numbered(client: TestClient, sample_draft: str) -> None:
    conversation = _start(client, sample_draft)
    url = f"/api/conversations/{conversation.id}/versions"
    second = client.post(url, json={"text": sample_draft + "\nA patient said: \"I slept at home.\"", "note": "quote"},
                         headers=conversation.auth)
    assert second.status_code == 201, second.text
    third = client.post(url, files={"file": ("v3.md", sample_draft.encode())}, data={"note": "uploaded"},
                        headers=conversation.auth)
    assert third.status_code == 201, third.text
    versions = Conversation.model_validate(third.json()).versions
    assert [(v.number, v.note) for v in versions] == [(1, "initial draft"), (2, "quote"), (3, "uploaded")]


def test_conversation_without_a_draft_can_be_created(client: TestClient) -> None:
    response = client.post("/api/conversations", json={})
    assert response.status_code == 201
    assert Started.model_validate(response.json()).versions == []


def test_conversation_and_versions_survive_a_restart(tmp_path: Path, sample_draft: str) -> None:
    settings = plumbing_settings(tmp_path / "data")
    with TestClient(create_app(settings)) as first:
        conversation = _start(first, sample_draft)
        first.post(f"/api/conversations/{conversation.id}/versions",
                   json={"text": sample_draft + "\nMore.", "note": "second"}, headers=conversation.auth)
        turn = first.post(f"/api/conversations/{conversation.id}/messages",
                          json={"content": "What's missing in scale?"}, headers=conversation.auth).json()
    with TestClient(create_app(settings)) as second:
        response = second.get(f"/api/conversations/{conversation.id}", headers=conversation.auth)
    assert response.status_code == 200
    restored = Conversation.model_validate(response.json())
    assert [v.number for v in restored.versions] == [1, 2]
    assert restored.versions[1].text == sample_draft + "\nMore."
    assert [t.role for t in restored.turns] == ["user", "assistant"]
    assert restored.turns[-1].id == turn["id"]


@pytest.mark.parametrize("path", ["/api/conversations", "/api/conversations/{id}/versions"])
def test_draft_bodies_refuse_plain_text(client: TestClient, assert_error: ErrorCheck, path: str) -> None:
    owner = _start(client, "## Impact\n\nWaits fell from 18 to 6 weeks.")
    response = client.post(path.format(id=owner.id), content=b"draft",
                           headers={"Content-Type": "text/plain", **owner.auth})
    assert_error(response, 415, "unsupported_media_type")


def test_undo_restores_the_previous_version_text_exactly(client: TestClient, sample_draft: str,
                                                         assert_error: ErrorCheck) -> None:
    conversation = _start(client, sample_draft)
    auth = conversation.auth
    assert_error(client.post(f"/api/conversations/{conversation.id}/undo", headers=auth), 422, "invalid_input")
    second = sample_draft.replace("## Scale", "## Scale\n\nTwo more trusts adopted the model in 2025.", 1)
    added = client.post(f"/api/conversations/{conversation.id}/versions", json={"text": second}, headers=auth)
    assert added.status_code == 201
    response = client.post(f"/api/conversations/{conversation.id}/undo", headers=auth)
    assert response.status_code == 200, response.text
    versions = Conversation.model_validate(response.json()).versions
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[2].text == sample_draft and versions[1].text == second
    assert versions[2].note == "undo: restored version 1"
    assert_error(client.post("/api/conversations/doesnotexist/undo"), 404, "not_found")


def test_a_conversation_is_404_without_its_token_and_only_its_token_opens_it(
    client: TestClient, sample_draft: str, assert_error: ErrorCheck
) -> None:
    mine, theirs = _start(client, sample_draft), _start(client, sample_draft)
    assert len(mine.token) >= 43 and mine.token != theirs.token  # 256 random bits, URL-safe
    base = f"/api/conversations/{mine.id}"
    requests = [("GET", base, None), ("POST", f"{base}/messages", {"content": "What's missing?"}),
                ("POST", f"{base}/versions", {"text": "## Impact\n\nWaits fell."}), ("POST", f"{base}/undo", None),
                ("DELETE", base, None)]
    wrong = [{}, {"Authorization": "Bearer not-the-token"}, theirs.auth, {"Authorization": mine.token},
             {"Authorization": f"Basic {mine.token}"}]
    for method, url, body in requests:
        for headers in wrong:
            response = client.request(method, url, json=body, headers=headers)
            detail = assert_error(response, 404, "not_found")["detail"]
            # Exactly what an unknown id gets, so a probe learns nothing.
            unknown = client.request(method, url.replace(mine.id, "f" * 32), json=body, headers=headers)
            assert detail.replace(mine.id, "?") == unknown.json()["detail"].replace("f" * 32, "?")
    assert client.get(base, headers=mine.auth).status_code == 200
    assert "token" not in client.get(base, headers=mine.auth).json(), "the token is shown only once"


def test_delete_removes_the_conversation_its_turns_and_its_versions(
    tmp_path: Path, sample_draft: str, assert_error: ErrorCheck
) -> None:
    settings = plumbing_settings(tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        kept, gone = _start(client, sample_draft), _start(client, sample_draft)
        for started in (kept, gone):
            client.post(f"/api/conversations/{started.id}/versions", json={"text": sample_draft + "\nMore."},
                        headers=started.auth)
            client.post(f"/api/conversations/{started.id}/messages", json={"content": "What's missing in scale?"},
                        headers=started.auth)
        assert client.delete(f"/api/conversations/{gone.id}", headers=kept.auth).status_code == 404
        response = client.delete(f"/api/conversations/{gone.id}", headers=gone.auth)
        assert response.status_code == 204 and response.content == b""
        assert_error(client.get(f"/api/conversations/{gone.id}", headers=gone.auth), 404, "not_found")
        assert_error(client.delete(f"/api/conversations/{gone.id}", headers=gone.auth), 404, "not_found")
        assert client.get(f"/api/conversations/{kept.id}", headers=kept.auth).status_code == 200
    with sqlite3.connect(settings.database_path) as db:
        for table in ("chat_conversations", "chat_versions", "chat_turns"):
            column = "id" if table == "chat_conversations" else "conversation_id"
            rows = dict(db.execute(f"SELECT {column}, COUNT(*) FROM {table} GROUP BY {column}").fetchall())
            assert gone.id not in rows, table
            assert rows[kept.id] >= 1, table
        assert db.execute("SELECT COUNT(*) FROM chat_turns WHERE data LIKE ?", (f"%{gone.id}%",)).fetchone() == (0,)


def test_retention_deletes_conversations_untouched_for_longer_than_the_setting(
    tmp_path: Path, sample_draft: str
) -> None:
    from api.app import purge_expired

    settings = plumbing_settings(tmp_path / "data", server={"retention_days": 30})
    app = create_app(settings)
    with TestClient(app) as client:
        old, recent = _start(client, sample_draft), _start(client, sample_draft)
        stale = (datetime.now(UTC) - timedelta(days=31)).isoformat()
        with sqlite3.connect(settings.database_path) as db:
            db.execute("UPDATE chat_conversations SET updated_at = ? WHERE id = ?", (stale, old.id))
        assert purge_expired(app) == 1
        assert client.get(f"/api/conversations/{old.id}", headers=old.auth).status_code == 404
        assert client.get(f"/api/conversations/{recent.id}", headers=recent.auth).status_code == 200
        assert purge_expired(app) == 0
