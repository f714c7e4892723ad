"""A template's lifecycle: publish (draft -> active), archive (-> archived), duplicate (a new
draft copy with its questions; Idempotency-Key)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from shared.http.app import create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity.public import HR, caller_transaction
from shared.interviews import templates
from shared.interviews.models import TemplateOut, TemplateScoped

app = create_app("Publish, archive or duplicate an interview template")


@app.post("/v1/templates/{template_id}/publish", response_model=TemplateOut, tags=["templates"])
def publish(template_id: uuid.UUID, request: Request) -> TemplateOut:
    with caller_transaction(request, HR) as (conn, caller):
        return templates.publish_template(conn, caller, template_id)


@app.post("/v1/templates/{template_id}/archive", response_model=TemplateOut, tags=["templates"])
def archive(template_id: uuid.UUID, request: Request) -> TemplateOut:
    with caller_transaction(request, HR) as (conn, caller):
        return templates.archive_template(conn, caller, template_id)


@app.post(
    "/v1/templates/{template_id}/duplicate",
    status_code=201,
    response_model=TemplateOut,
    tags=["templates"],
)
def duplicate(
    template_id: uuid.UUID,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    with caller_transaction(request, HR) as (conn, caller):
        return idempotent_response(
            conn,
            f"template-duplicate:{caller.id}",
            idempotency_key,
            body=TemplateScoped(template_id=template_id),
            status_code=201,
            run=lambda: templates.duplicate_template(conn, caller, template_id),
        )


handler = lambda_handler_for(app)
