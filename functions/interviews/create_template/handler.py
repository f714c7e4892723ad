"""POST /v1/templates: HR creates a draft interview template (Idempotency-Key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from shared.http.app import create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity.public import HR, caller_transaction
from shared.interviews import templates
from shared.interviews.models import TemplateCreate, TemplateOut

app = create_app("Create an interview template")


@app.post("/v1/templates", status_code=201, response_model=TemplateOut, tags=["templates"])
def create_template(
    body: TemplateCreate,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    with caller_transaction(request, HR) as (conn, caller):
        return idempotent_response(
            conn,
            f"template:{caller.id}",
            idempotency_key,
            body=body,
            status_code=201,
            run=lambda: templates.create_template(conn, caller, body),
        )


handler = lambda_handler_for(app)
