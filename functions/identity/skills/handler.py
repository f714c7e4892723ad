"""The skills taxonomy: admins create, rename and retire categories and skills; anyone signed
in lists them (retired ones only for admins, on request)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Query, Request
from fastapi.responses import JSONResponse

from shared.http.app import create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity import skills
from shared.identity.public import ADMIN, caller_transaction
from shared.identity.skill_models import (
    CategoryCreate,
    CategoryOut,
    CategoryPage,
    CategoryUpdate,
    SkillCreate,
    SkillOut,
    SkillPage,
    SkillUpdate,
)

app = create_app("Skills taxonomy")
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200)]
IdempotencyKey = Annotated[str | None, Header(max_length=255)]


@app.get("/v1/skill-categories", response_model=CategoryPage, tags=["skills"])
def list_categories(
    request: Request, include_retired: bool = False, limit: Limit = 50, cursor: Cursor = None
) -> CategoryPage:
    with caller_transaction(request) as (conn, caller):
        return skills.list_categories(
            conn,
            include_retired=include_retired and caller.role == "admin",
            limit=limit,
            cursor=cursor,
        )


@app.get("/v1/skills", response_model=SkillPage, tags=["skills"])
def list_skills(
    request: Request,
    category_id: uuid.UUID | None = None,
    include_retired: bool = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> SkillPage:
    with caller_transaction(request) as (conn, caller):
        return skills.list_skills(
            conn,
            category_id=category_id,
            include_retired=include_retired and caller.role == "admin",
            limit=limit,
            cursor=cursor,
        )


@app.post("/v1/skill-categories", status_code=201, response_model=CategoryOut, tags=["skills"])
def create_category(
    body: CategoryCreate, request: Request, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    with caller_transaction(request, ADMIN) as (conn, caller):
        return idempotent_response(
            conn,
            f"skill-category:{caller.id}",
            idempotency_key,
            body=body,
            status_code=201,
            run=lambda: skills.create_category(conn, caller, body),
        )


@app.patch("/v1/skill-categories/{category_id}", response_model=CategoryOut, tags=["skills"])
def update_category(category_id: uuid.UUID, body: CategoryUpdate, request: Request) -> CategoryOut:
    with caller_transaction(request, ADMIN) as (conn, caller):
        return skills.update_category(conn, caller, category_id, body)


@app.post(
    "/v1/skill-categories/{category_id}/retire",
    response_model=CategoryOut,
    tags=["skills"],
)
def retire_category(category_id: uuid.UUID, request: Request) -> CategoryOut:
    with caller_transaction(request, ADMIN) as (conn, caller):
        return skills.retire_category(conn, caller, category_id)


@app.post("/v1/skills", status_code=201, response_model=SkillOut, tags=["skills"])
def create_skill(
    body: SkillCreate, request: Request, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    with caller_transaction(request, ADMIN) as (conn, caller):
        return idempotent_response(
            conn,
            f"skill:{caller.id}",
            idempotency_key,
            body=body,
            status_code=201,
            run=lambda: skills.create_skill(conn, caller, body),
        )


@app.patch("/v1/skills/{skill_id}", response_model=SkillOut, tags=["skills"])
def update_skill(skill_id: uuid.UUID, body: SkillUpdate, request: Request) -> SkillOut:
    with caller_transaction(request, ADMIN) as (conn, caller):
        return skills.update_skill(conn, caller, skill_id, body)


@app.post("/v1/skills/{skill_id}/retire", response_model=SkillOut, tags=["skills"])
def retire_skill(skill_id: uuid.UUID, request: Request) -> SkillOut:
    with caller_transaction(request, ADMIN) as (conn, caller):
        return skills.retire_skill(conn, caller, skill_id)


handler = lambda_handler_for(app)
