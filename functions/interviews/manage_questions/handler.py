"""A draft template's questions: add (Idempotency-Key), change, remove, reorder (full id list)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from shared.http.app import create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity.public import HR, caller_transaction
from shared.interviews import templates
from shared.interviews.models import (
    QuestionChange,
    QuestionCreate,
    QuestionOrder,
    QuestionUpdate,
    ReorderRequest,
    TemplateScoped,
)

app = create_app("Manage a template's questions")
_BASE = "/v1/templates/{template_id}/questions"


@app.post(_BASE, status_code=201, response_model=QuestionChange, tags=["questions"])
def add_question(
    template_id: uuid.UUID,
    body: QuestionCreate,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    with caller_transaction(request, HR) as (conn, caller):
        return idempotent_response(
            conn,
            f"question:{caller.id}",
            idempotency_key,
            body=TemplateScoped(template_id=template_id, body=body.model_dump(mode="json")),
            status_code=201,
            run=lambda: templates.add_question(conn, caller, template_id, body),
        )


@app.put(_BASE + "/order", response_model=QuestionOrder, tags=["questions"])
def reorder(template_id: uuid.UUID, body: ReorderRequest, request: Request) -> QuestionOrder:
    with caller_transaction(request, HR) as (conn, caller):
        return templates.reorder_questions(conn, caller, template_id, body)


@app.patch(_BASE + "/{question_id}", response_model=QuestionChange, tags=["questions"])
def update_question(
    template_id: uuid.UUID, question_id: uuid.UUID, body: QuestionUpdate, request: Request
) -> QuestionChange:
    with caller_transaction(request, HR) as (conn, caller):
        return templates.update_question(conn, caller, template_id, question_id, body)


@app.delete(_BASE + "/{question_id}", response_model=QuestionChange, tags=["questions"])
def delete_question(
    template_id: uuid.UUID, question_id: uuid.UUID, request: Request
) -> QuestionChange:
    with caller_transaction(request, HR) as (conn, caller):
        return templates.delete_question(conn, caller, template_id, question_id)


handler = lambda_handler_for(app)
