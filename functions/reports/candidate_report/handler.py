"""GET|POST /v1/invitations/{invitation_id}/report: the candidate's PDF (its status and a
short-lived download link), and making it again (HR of the company)."""

from __future__ import annotations

import uuid

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction
from shared.reports import jobs
from shared.reports.deps import default_deps
from shared.reports.models import JobView

app = create_app("Candidate report")


@app.get("/v1/invitations/{invitation_id}/report", response_model=JobView, tags=["reports"])
def get_report(invitation_id: uuid.UUID, request: Request) -> JobView:
    with caller_transaction(request, HR) as (conn, caller):
        return jobs.candidate_report(conn, caller.user.company_id, invitation_id, default_deps())


@app.post(
    "/v1/invitations/{invitation_id}/report",
    status_code=202,
    response_model=JobView,
    tags=["reports"],
)
def regenerate_report(invitation_id: uuid.UUID, request: Request) -> JobView:
    with caller_transaction(request, HR) as (conn, caller):
        return jobs.regenerate_report(
            conn,
            caller.user.company_id,
            caller.id,
            invitation_id,
            caller.correlation_id,
            default_deps().settings,
        )


handler = lambda_handler_for(app)
