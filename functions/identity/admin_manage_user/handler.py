"""Admins manage one user: change role, suspend, activate, soft-delete (all idempotent)."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from shared.http.app import create_app, lambda_handler_for
from shared.identity import admin_users
from shared.identity.models import AdminRoleRequest, UserOut
from shared.identity.public import ADMIN, caller_transaction

app = create_app("Admin: manage a user")


@app.post("/v1/admin/users/{user_id}/role", response_model=UserOut, tags=["identity-admin"])
def change_role(user_id: uuid.UUID, body: AdminRoleRequest, request: Request) -> UserOut:
    with caller_transaction(request, ADMIN) as (conn, caller):
        return admin_users.admin_change_role(conn, caller, user_id, body.role)


@app.post("/v1/admin/users/{user_id}/suspend", response_model=UserOut, tags=["identity-admin"])
def suspend(user_id: uuid.UUID, request: Request) -> UserOut:
    with caller_transaction(request, ADMIN) as (conn, caller):
        return admin_users.admin_set_status(conn, caller, user_id, "suspended")


@app.post("/v1/admin/users/{user_id}/activate", response_model=UserOut, tags=["identity-admin"])
def activate(user_id: uuid.UUID, request: Request) -> UserOut:
    with caller_transaction(request, ADMIN) as (conn, caller):
        return admin_users.admin_set_status(conn, caller, user_id, "active")


@app.delete("/v1/admin/users/{user_id}", status_code=204, tags=["identity-admin"])
def delete(user_id: uuid.UUID, request: Request) -> Response:
    with caller_transaction(request, ADMIN) as (conn, caller):
        admin_users.admin_set_status(conn, caller, user_id, "deleted")
    return Response(status_code=204)


handler = lambda_handler_for(app)
