"""The API over the production wiring: bundled MiniLM, Chroma on disk, the trained detector."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api import create_app
from assistant.chat.models import Conversation, Turn
from assistant.review import Review
from assistant.service import Assistant

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_client(real_assistant: Assistant) -> Iterator[TestClient]:
    # The session's real assistant has already embedded the knowledge into this data dir.
    with TestClient(create_app(real_assistant.settings)) as client:
        yield client


def test_real_review_flags_missing_testimonial_in_impact(real_client: TestClient, sample_draft: str) -> None:
    body = {"text": sample_draft, "category": "hsj-awards-2025/acute-innovation"}
    response = real_client.post("/api/reviews", json=body)
    assert response.status_code == 200, response.text
    review = Review.model_validate(response.json())
    assert review.meta.embedding_model.startswith("sentence-transformers:")
    impact = review.criterion("impact")
    assert "testimonial" in {m.type for m in impact.missing}
    assert {"metric", "baseline"} <= {e.type for e in impact.evidence}
    assert all(m.examples for m in impact.missing), "each gap comes with exemplars"
    assert "spread" in {m.type for m in review.criterion("scale").missing}


def test_real_chat_answer_quotes_the_draft(real_client: TestClient, sample_draft: str) -> None:
    created = real_client.post("/api/conversations", json={"category": "hsj-awards-2025/acute-innovation",
                                                           "text": sample_draft})
    body = created.json()
    token = body.pop("token")
    conversation = Conversation.model_validate(body)
    response = real_client.post(f"/api/conversations/{conversation.id}/messages",
                                json={"content": "what's missing in impact?"},
                                headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    turn = Turn.model_validate(response.json())
    assert turn.criterion == "impact"
    quotes = [c for c in turn.citations if c.kind == "draft"]
    assert quotes and all(sample_draft[c.start : c.end] == c.quote for c in quotes if c.start is not None)
