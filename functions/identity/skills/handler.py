"""The skills taxonomy: admins create, rename and retire categories and skills; anyone signed
in lists them (retired ones only for admins, on request)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.dal.sql import Conn
from shared.http.app import create_app, lambda_handler_for
from shared.http.idempotency import idempotent_response
from shared.identity import skills
from shared.identity.caller import Caller
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


@dataclass(frozen=True, slots=True)
class _Kind[CreateT: BaseModel, UpdateT: BaseModel, OutT: BaseModel]:
    """One kind of the taxonomy the admins write: its routes, models and use cases."""

    noun: str  # the endpoints' names (create_<noun>, ...): their OpenAPI operation ids
    path: str
    id_name: str  # the item's path parameter
    idempotency_scope: str
    create_body: type[CreateT]
    update_body: type[UpdateT]
    out: type[OutT]
    create: Callable[[Conn, Caller, CreateT], OutT]
    update: Callable[[Conn, Caller, uuid.UUID, UpdateT], OutT]
    retire: Callable[[Conn, Caller, uuid.UUID], OutT]


CATEGORIES = _Kind(
    "category",
    "/v1/skill-categories",
    "category_id",
    "skill-category",
    CategoryCreate,
    CategoryUpdate,
    CategoryOut,
    skills.create_category,
    skills.update_category,
    skills.retire_category,
)
SKILLS = _Kind(
    "skill",
    "/v1/skills",
    "skill_id",
    "skill",
    SkillCreate,
    SkillUpdate,
    SkillOut,
    skills.create_skill,
    skills.update_skill,
    skills.retire_skill,
)


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


def _endpoint[EndpointT: Callable[..., Any]](
    fn: EndpointT, name: str, **annotations: object
) -> EndpointT:
    """``fn`` under its route's name, with the parameter types FastAPI reads (the kind's)."""
    fn.__name__ = fn.__qualname__ = name
    fn.__annotations__ = {**fn.__annotations__, **annotations}
    return fn


def _admin_routes[CreateT: BaseModel, UpdateT: BaseModel, OutT: BaseModel](
    kind: _Kind[CreateT, UpdateT, OutT],
) -> None:
    """An admin's POST (create), PATCH (change) and retire of one kind."""
    item = f"{kind.path}/{{{kind.id_name}}}"
    item_id_type = Annotated[uuid.UUID, Path(alias=kind.id_name)]

    def create(
        body: CreateT, request: Request, idempotency_key: IdempotencyKey = None
    ) -> JSONResponse:
        with caller_transaction(request, ADMIN) as (conn, caller):
            return idempotent_response(
                conn,
                f"{kind.idempotency_scope}:{caller.id}",
                idempotency_key,
                body=body,
                status_code=201,
                run=lambda: kind.create(conn, caller, body),
            )

    def update(item_id: uuid.UUID, body: UpdateT, request: Request) -> OutT:
        with caller_transaction(request, ADMIN) as (conn, caller):
            return kind.update(conn, caller, item_id, body)

    def retire(item_id: uuid.UUID, request: Request) -> OutT:
        with caller_transaction(request, ADMIN) as (conn, caller):
            return kind.retire(conn, caller, item_id)

    app.post(kind.path, status_code=201, response_model=kind.out, tags=["skills"])(
        _endpoint(create, f"create_{kind.noun}", body=kind.create_body)
    )
    app.patch(item, response_model=kind.out, tags=["skills"])(
        _endpoint(update, f"update_{kind.noun}", item_id=item_id_type, body=kind.update_body)
    )
    app.post(f"{item}/retire", response_model=kind.out, tags=["skills"])(
        _endpoint(retire, f"retire_{kind.noun}", item_id=item_id_type)
    )


_admin_routes(CATEGORIES)
_admin_routes(SKILLS)

handler = lambda_handler_for(app)
