"""GET /v1/templates (cursor pagination, by status) and GET /v1/templates/{template_id}."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR_OR_ADMIN, caller_transaction
from shared.interviews import templates
from shared.interviews.models import TemplateOut, TemplatePage
from shared.interviews.rows import TemplateStatus

app = create_app("Read interview templates")


@app.get("/v1/templates", response_model=TemplatePage, tags=["templates"])
def list_templates(
    request: Request,
    status: TemplateStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> TemplatePage:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        return templates.list_templates(conn, caller, status=status, limit=limit, cursor=cursor)


@app.get("/v1/templates/{template_id}", response_model=TemplateOut, tags=["templates"])
def get_template(template_id: uuid.UUID, request: Request) -> TemplateOut:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        return templates.get_template(conn, caller, template_id)


handler = lambda_handler_for(app)
