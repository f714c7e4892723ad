"""PATCH /v1/templates/{template_id} (carries `version`; stale -> 409) and DELETE (draft only)."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction
from shared.interviews import templates
from shared.interviews.models import TemplateOut, TemplateUpdate

app = create_app("Change an interview template")


@app.patch("/v1/templates/{template_id}", response_model=TemplateOut, tags=["templates"])
def update_template(template_id: uuid.UUID, body: TemplateUpdate, request: Request) -> TemplateOut:
    with caller_transaction(request, HR) as (conn, caller):
        return templates.update_template(conn, caller, template_id, body)


@app.delete("/v1/templates/{template_id}", status_code=204, tags=["templates"])
def delete_template(template_id: uuid.UUID, request: Request) -> Response:
    with caller_transaction(request, HR) as (conn, caller):
        templates.delete_template(conn, caller, template_id)
    return Response(status_code=204)


handler = lambda_handler_for(app)
