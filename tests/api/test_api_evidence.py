"""POST /api/evidence: detection alone over a whole text."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient

from api.schemas import EvidenceResult

ErrorCheck = Callable[[httpx.Response, int, str], dict[str, str]]


def test_evidence_quotes_are_exact_substrings(client: TestClient, sample_draft: str) -> None:
    response = client.post("/api/evidence", json={"text": sample_draft})
    assert response.status_code == 200, response.text
    result = EvidenceResult.model_validate(response.json())
    assert {"metric", "baseline"} <= {e.type for e in result.evidence}
    for item in result.evidence:
        assert sample_draft[item.start : item.end] == item.quote


def test_evidence_accepts_an_upload(client: TestClient) -> None:
    text = b"Median waits fell from 18 weeks to 6 weeks against a target of 8."
    response = client.post("/api/evidence", files={"file": ("note.txt", text)})
    assert response.status_code == 200, response.text
    assert {"metric", "baseline"} <= {e["type"] for e in response.json()["evidence"]}


def test_evidence_for_an_empty_text_is_422(client: TestClient, assert_error: ErrorCheck) -> None:
    assert_error(client.post("/api/evidence", json={"text": ""}), 422, "validation_error")
