"""The batch endpoints on a minimal app: upload, progress, reports, errors, and a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import install_error_handler
from api.routers import batches
from assistant.batch import BatchReport
from assistant.batch.jobs import BatchInfo, BatchJobs
from assistant.errors import InvalidInput
from assistant.service import Assistant
from tests.batch.planted import PLANTED, zipped


def make_app(assistant: Assistant, jobs: BatchJobs | None = None) -> FastAPI:
    app = FastAPI()
    install_error_handler(app)
    app.include_router(batches.router)
    app.state.assistant = assistant
    if jobs is not None:
        app.state.batch_jobs = jobs
    return app



@pytest.fixture()
def jobs(batch_assistant: Assistant, tmp_path: Path) -> Iterator[BatchJobs]:
    running = BatchJobs(batch_assistant, root=tmp_path / "batches").start()
    yield running
    running.close()


def upload(client: TestClient, data: bytes, name: str = "entries.zip", programme: str = "hsj-awards-2025"):  # type: ignore[no-untyped-def]
    return client.post("/api/batches", files={"file": (name, data, "application/zip")}, data={"programme": programme})


def test_a_batch_is_uploaded_checked_and_reported_in_three_formats(
    batch_assistant: Assistant, jobs: BatchJobs, planted_batch: Path
) -> None:
    client = TestClient(make_app(batch_assistant, jobs))
    response = upload(client, zipped(planted_batch))
    assert response.status_code == 202, response.text
    created = BatchInfo.model_validate(response.json())
    assert created.total == len(PLANTED) and created.status in ("queued", "running")

    assert jobs.wait(created.id).status == "done"
    status = BatchInfo.model_validate(client.get(f"/api/batches/{created.id}").json())
    assert (status.status, status.done, status.total) == ("done", len(PLANTED), len(PLANTED))

    report = BatchReport.model_validate(client.get(f"/api/batches/{created.id}/report").json())
    assert [e.id for e in report.entries] == list(PLANTED)
    as_csv = client.get(f"/api/batches/{created.id}/report", params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.startswith("id,category,source,verdict,rule")
    as_html = client.get(f"/api/batches/{created.id}/report", params={"format": "html"})
    assert as_html.headers["content-type"].startswith("text/html")
    assert "Eligibility pre-check" in as_html.text


def test_errors_have_the_standard_body(batch_assistant: Assistant, tmp_path: Path, planted_batch: Path) -> None:
    idle = BatchJobs(batch_assistant, root=tmp_path / "idle")
    client = TestClient(make_app(batch_assistant, idle))
    missing = client.get("/api/batches/0123456789abcdef")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    not_zip = upload(client, b"this is not a zip")
    assert not_zip.status_code == 422 and not_zip.json()["code"] == "invalid_input"
    unknown = upload(client, zipped(planted_batch), programme="no-such-awards")
    assert unknown.status_code == 404 and "Known programmes" in unknown.json()["detail"]
    queued = upload(client, zipped(planted_batch)).json()["id"]
    early = client.get(f"/api/batches/{queued}/report")
    assert early.status_code == 409 and early.json()["code"] == "not_ready"
    bad_format = client.get(f"/api/batches/{queued}/report", params={"format": "pdf"})
    assert bad_format.status_code == 422
    idle.close()


def test_batches_survive_a_restart_and_interrupted_ones_resume(
    batch_assistant: Assistant, tmp_path: Path, planted_batch: Path
) -> None:
    root = tmp_path / "batches"
    first = BatchJobs(batch_assistant, root=root).start()
    done_id = upload(TestClient(make_app(batch_assistant, first)), zipped(planted_batch)).json()["id"]
    first.wait(done_id)
    first.close()
    stopped = BatchJobs(batch_assistant, root=root)  # never started: its upload stays queued, as after a crash
    pending_id = upload(TestClient(make_app(batch_assistant, stopped)), zipped(planted_batch)).json()["id"]
    stopped.close()

    restarted = BatchJobs(batch_assistant, root=root).start()
    client = TestClient(make_app(batch_assistant, restarted))
    assert client.get(f"/api/batches/{done_id}").json()["status"] == "done"
    assert client.get(f"/api/batches/{done_id}/report").status_code == 200
    assert restarted.wait(pending_id).status == "done"
    assert client.get(f"/api/batches/{pending_id}/report").json()["summary"]["total"] == len(PLANTED)
    restarted.close()


def test_the_router_starts_its_own_jobs_on_first_use(batch_assistant: Assistant) -> None:
    app = make_app(batch_assistant)
    client = TestClient(app)
    assert client.get("/api/batches/unknown").status_code == 404
    assert isinstance(app.state.batch_jobs, BatchJobs)
    app.state.batch_jobs.close()


def test_the_batch_upload_limit_is_a_setting_and_an_upload_over_it_is_refused_whole(
    batch_assistant: Assistant, tmp_path: Path, planted_batch: Path
) -> None:
    from api.app import create_app

    settings = batch_assistant.settings.model_copy(
        update={"limits": batch_assistant.settings.limits.model_copy(update={"max_batch_upload_bytes": 2_000})}
    )
    data = zipped(planted_batch)
    assert len(data) > 2_000
    small = BatchJobs(Assistant.from_settings(settings), root=tmp_path / "small")
    with pytest.raises(InvalidInput, match="MAX_BATCH_UPLOAD_BYTES"):
        small.submit("entries.zip", data, programme="hsj-awards-2025")
    assert not [p for p in (tmp_path / "small").iterdir() if p.is_dir()]  # nothing stored
    small.close()
    app = create_app(settings)
    response = TestClient(app).post(
        "/api/batches", files={"file": ("entries.zip", data, "application/zip")}, data={"programme": "hsj-awards-2025"}
    )
    assert response.status_code == 413, response.text
