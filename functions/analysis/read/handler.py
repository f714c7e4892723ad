"""GET /v1/invitations/{invitation_id}/analysis: the AI analysis of one invitation (its HR)."""

from __future__ import annotations

import uuid

from fastapi import Request

from shared.analysis import hr
from shared.analysis.models import AnalysisView
from shared.events.audit import AccessBy
from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction

app = create_app("Analysis")


@app.get("/v1/invitations/{invitation_id}/analysis", response_model=AnalysisView, tags=["analysis"])
def get_analysis(invitation_id: uuid.UUID, request: Request) -> AnalysisView:
    with caller_transaction(request, HR) as (conn, caller):
        viewer = AccessBy(actor_id=caller.id, correlation_id=caller.correlation_id)
        return hr.get_analysis(conn, caller.user.company_id, invitation_id, viewer)


handler = lambda_handler_for(app)
