"""Organiser batches: upload a ZIP/CSV/XLSX, poll its progress, fetch its report as JSON, CSV or HTML,
delete it. Every route needs an organiser key when keys are configured (``api.security``)."""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, File, Form, Path, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.errors import ERROR_RESPONSES, ErrorBody
from api.security import OrganiserOnly
from assistant.batch.jobs import BatchInfo, BatchJobs

UNAUTHORISED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid organiser key (code 'unauthorized')"}
}
router = APIRouter(prefix="/api/batches", tags=["batches"], dependencies=[OrganiserOnly], responses=UNAUTHORISED)
_START_LOCK = threading.Lock()


def batch_jobs(app: FastAPI) -> BatchJobs:
    """The app's batch runner, started on first use (call it from a lifespan to resume at startup)."""
    with _START_LOCK:
        jobs: BatchJobs | None = getattr(app.state, "batch_jobs", None)
        if jobs is None:
            jobs = BatchJobs(app.state.assistant, database=getattr(app.state, "database", None)).start()
            app.state.batch_jobs = jobs
        return jobs


def get_jobs(request: Request) -> BatchJobs:
    return batch_jobs(request.app)


JobsDep = Annotated[BatchJobs, Depends(get_jobs)]
BatchId = Annotated[str, Path(min_length=1, max_length=64, description="The id POST /api/batches returned")]


@router.post("", status_code=202, responses=ERROR_RESPONSES)
async def create_batch(
    jobs: JobsDep,
    file: Annotated[UploadFile, File(description="A .zip of documents with manifest.csv, or a .csv/.xlsx export")],
    programme: Annotated[str, Form(min_length=1, max_length=200, description="Programme id")],
    columns: Annotated[str | None, Form(max_length=20_000, description="YAML column mapping for a spreadsheet")] = None,
) -> BatchInfo:
    """Queue a batch for the eligibility pre-check; poll GET /api/batches/{id} for progress."""
    data = await file.read()
    return await run_in_threadpool(jobs.submit, file.filename or "upload", data, programme=programme, columns=columns)


@router.get("/{batch_id}", responses=ERROR_RESPONSES)
def get_batch(batch_id: BatchId, jobs: JobsDep) -> BatchInfo:
    """Progress: ``done`` of ``total`` entries checked, and the status."""
    return jobs.get(batch_id)


@router.delete("/{batch_id}", status_code=204, responses=ERROR_RESPONSES)
def delete_batch(batch_id: BatchId, jobs: JobsDep) -> None:
    """Delete the batch with its upload and report; a batch still running stops at its next entry."""
    jobs.delete(batch_id)


@router.get(
    "/{batch_id}/report",
    responses={**ERROR_RESPONSES, 409: {"model": ErrorBody, "description": "Not finished yet (code 'not_ready')"}},
    response_class=Response,
)
def get_report(batch_id: BatchId, jobs: JobsDep, format: Literal["json", "csv", "html"] = "json") -> Response:
    """The finished batch's report: every entry's verdict and each rule's reason and quotes."""
    info = jobs.get(batch_id)
    if info.status != "done":
        detail = (
            f"The batch failed: {info.error}" if info.status == "failed"
            else f"The batch is {info.status} ({info.done} of {info.total} checked); fetch the report when it is done."
        )
        return JSONResponse(ErrorBody(detail=detail, code="not_ready").model_dump(), status_code=409)
    text, media_type = jobs.report_text(batch_id, format)
    disposition = f'inline; filename="shortlist-batch-{batch_id[:8]}.{format}"'
    return Response(text, media_type=media_type, headers={"Content-Disposition": disposition})
