"""Health, programmes, categories, the evidence taxonomy and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from api.schemas import CategoryDetail, EvidenceTypeInfo, Health, ProgrammeSummary

ErrorCheck = Callable[[httpx.Response, int, str], dict[str, str]]


def test_health_reports_models_and_knowledge(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    health = Health.model_validate(response.json())
    assert health.embedding_model == "fake:384"
    assert health.chat_mode == "templates"
    assert health.programmes >= 5


def test_programmes_list_has_the_packs_list_shape(client: TestClient) -> None:
    response = client.get("/api/programmes")
    assert response.status_code == 200
    programmes = TypeAdapter(list[ProgrammeSummary]).validate_python(response.json())
    hsj = next(p for p in programmes if p.id == "hsj-awards-2025")
    category = next(c for c in hsj.categories if c.id == "acute-innovation")
    assert [c.id for c in category.criteria] == ["ambition", "collaboration", "impact", "scale", "sustainability"]
    assert all(c.word_limit == 400 for c in category.criteria)


def test_category_shows_questions_rules_and_scoring(client: TestClient) -> None:
    response = client.get("/api/categories/hsj-awards-2025/acute-innovation")
    assert response.status_code == 200
    detail = CategoryDetail.model_validate(response.json())
    assert detail.programme.id == "hsj-awards-2025"
    assert detail.category.criterion("impact").questions
    assert detail.scoring, "the HSJ pack has a scoring matrix"


def test_category_accepts_programme_as_a_query(client: TestClient) -> None:
    response = client.get("/api/categories/acute-innovation", params={"programme": "hsj-awards-2025"})
    assert response.status_code == 200
    assert response.json()["category"]["id"] == "acute-innovation"


def test_unknown_category_is_404_with_error_body(client: TestClient, assert_error: ErrorCheck) -> None:
    body = assert_error(client.get("/api/categories/no-such-category"), 404, "not_found")
    assert "no-such-category" in body["detail"]


def test_unknown_programme_is_404(client: TestClient, assert_error: ErrorCheck) -> None:
    assert_error(client.get("/api/categories/acute-innovation", params={"programme": "nope"}), 404, "not_found")


def test_unknown_route_and_wrong_method_have_error_bodies(client: TestClient, assert_error: ErrorCheck) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert_error(client.delete("/api/programmes"), 405, "method_not_allowed")


def test_evidence_types_cover_the_taxonomy(client: TestClient) -> None:
    response = client.get("/api/evidence/types")
    types = TypeAdapter(list[EvidenceTypeInfo]).validate_python(response.json())
    assert {t.id for t in types} >= {"metric", "baseline", "testimonial", "spread", "unsupported_claim"}


def test_openapi_documents_examples_uploads_and_error_shape(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    review = spec["paths"]["/api/reviews"]["post"]
    content = review["requestBody"]["content"]
    assert content["application/json"]["schema"]["examples"][0]["category"] == "acute-innovation"
    assert "file" in content["multipart/form-data"]["schema"]["properties"]
    assert review["responses"]["413"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    messages = spec["paths"]["/api/conversations/{conversation_id}/messages"]["post"]
    assert "text/event-stream" in messages["responses"]["200"]["content"]
    for path in ("/api/health", "/api/programmes", "/api/categories/{category_id}", "/api/evidence",
                 "/api/conversations", "/api/conversations/{conversation_id}",
                 "/api/conversations/{conversation_id}/versions", "/api/eligibility"):
        assert path in spec["paths"]
