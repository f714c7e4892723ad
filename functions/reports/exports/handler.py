"""POST /v1/reports/exports (a CSV export job) and GET /v1/reports/exports/{job_id} (its status
and, once ready, a short-lived download link): HR of the company."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from shared.http.app import create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity.public import HR, caller_transaction
from shared.reports import jobs
from shared.reports.deps import default_deps
from shared.reports.models import ExportRequest, JobView

app = create_app("CSV exports")


@app.post("/v1/reports/exports", status_code=202, response_model=JobView, tags=["reports"])
def create_export(
    body: ExportRequest,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    with caller_transaction(request, HR) as (conn, caller):
        return idempotent_response(
            conn,
            f"report-export:{caller.id}",
            idempotency_key,
            body=body,
            status_code=202,
            run=lambda: jobs.request_export(
                conn,
                caller.user.company_id,
                caller.id,
                body,
                caller.correlation_id,
                default_deps().settings,
            ),
        )


@app.get("/v1/reports/exports/{job_id}", response_model=JobView, tags=["reports"])
def get_export(job_id: uuid.UUID, request: Request) -> JobView:
    with caller_transaction(request, HR) as (conn, caller):
        return jobs.export_job(conn, caller.user.company_id, job_id, default_deps())


handler = lambda_handler_for(app)
