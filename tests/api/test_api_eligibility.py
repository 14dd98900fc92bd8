"""POST /api/eligibility: one entry against a category's rules."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient

from assistant.review import Eligibility

ErrorCheck = Callable[[httpx.Response, int, str], dict[str, str]]


def _entry(text: str, **fields: object) -> dict[str, object]:
    return {"category": "acute-innovation", "programme": "hsj-awards-2025",
            "entry": {"id": "e1", "organisation": "Eastmoor General Hospital NHS Trust", "sector": "nhs_provider",
                      "text": text, **fields}}


def test_eligibility_returns_a_verdict_and_rules(client: TestClient, sample_draft: str) -> None:
    response = client.post("/api/eligibility", json=_entry(sample_draft))
    assert response.status_code == 200, response.text
    result = Eligibility.model_validate(response.json())
    assert result.verdict in {"eligible", "ineligible", "needs_review"}
    assert result.rules and all(rule.reason for rule in result.rules)


def test_eligibility_refuses_unknown_sector_and_category(client: TestClient, assert_error: ErrorCheck) -> None:
    assert_error(client.post("/api/eligibility", json=_entry("Text.", sector="pirates")), 422, "validation_error")
    body = _entry("Text.")
    body["category"] = "best-cake"
    assert_error(client.post("/api/eligibility", json=body), 404, "not_found")
