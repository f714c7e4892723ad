"""GET /v1/admin/users: admins list users (filters, cursor pagination, newest first)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity import dal
from shared.identity.models import Role, Status, UserOut, UserPage
from shared.identity.public import ADMIN, caller_transaction

app = create_app("Admin: list users")


@app.get("/v1/admin/users", response_model=UserPage, tags=["identity-admin"])
def list_users(
    request: Request,
    *,
    role: Role | None = None,
    status: Status | None = None,
    email_prefix: Annotated[str | None, Query(min_length=1, max_length=254)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> UserPage:
    with caller_transaction(request, ADMIN) as (conn, _):
        users, next_cursor = dal.list_users(
            conn, role=role, status=status, email_prefix=email_prefix, limit=limit, cursor=cursor
        )
    return UserPage(items=[UserOut.of(u) for u in users], next_cursor=next_cursor)


handler = lambda_handler_for(app)
