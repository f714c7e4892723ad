"""GET /v1/reports/funnel: the hiring funnel of the company or one template over a range of
invitation days (HR of the company)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import Query, Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction
from shared.reports import jobs
from shared.reports.models import FunnelView
from shared.reports.settings import get_reports_settings

app = create_app("Funnel analytics")


@app.get("/v1/reports/funnel", response_model=FunnelView, tags=["reports"])
def get_funnel(
    request: Request,
    template_id: uuid.UUID | None = None,
    from_date: Annotated[dt.date | None, Query(alias="from")] = None,
    to_date: Annotated[dt.date | None, Query(alias="to")] = None,
) -> FunnelView:
    with caller_transaction(request, HR) as (conn, caller):
        return jobs.funnel(
            conn, caller.user.company_id, template_id, from_date, to_date, get_reports_settings()
        )


handler = lambda_handler_for(app)
