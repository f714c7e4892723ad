"""Admins manage users: role, suspension, activation, (soft) deletion."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from shared.dal.sql import Conn
from shared.errors import ConflictError
from shared.identity import dal
from shared.identity.caller import Caller
from shared.identity.events import emit
from shared.identity.models import Role, UserOut
from shared.models.events.identity import (
    UserActivated,
    UserDeleted,
    UserRoleSelected,
    UserSuspended,
)


def admin_change_role(conn: Conn, caller: Caller, user_id: uuid.UUID, role: Role) -> UserOut:
    user = dal.get_user(conn, user_id, lock=True)
    if user.role != role:
        dal.set_role(conn, user.id, role)
        emit(
            conn,
            "user.role_selected",
            UserRoleSelected(
                user_id=user.id, role=role, previous_role=user.role, actor_id=caller.id
            ),
            caller.correlation_id,
        )
    return UserOut.of(dal.get_user(conn, user_id))


def admin_set_status(conn: Conn, caller: Caller, user_id: uuid.UUID, status: str) -> UserOut:
    """Suspend, activate or (soft) delete; repeating a call changes nothing and emits nothing."""
    user = dal.get_user(conn, user_id, lock=True)
    if user.id == caller.id:
        raise ConflictError("Admins cannot change their own status.")
    if user.status == "deleted" and status != "deleted":
        raise ConflictError("A deleted user cannot be changed.")
    if status == "active":
        # An admin's activate also lifts the account's soft login lock (its failures).
        dal.clear_login_failures(conn, user.email)
    if user.status == status:
        return UserOut.of(user)
    payloads: dict[str, tuple[str, BaseModel]] = {
        "suspended": ("user.suspended", UserSuspended(user_id=user.id, actor_id=caller.id)),
        "active": ("user.activated", UserActivated(user_id=user.id, actor_id=caller.id)),
        "deleted": ("user.deleted", UserDeleted(user_id=user.id, actor_id=caller.id)),
    }
    event_type, payload = payloads[status]
    dal.set_status(conn, user.id, status)  # type: ignore[arg-type]
    if status != "active":
        dal.revoke_user_tokens(conn, user.id)
    emit(conn, event_type, payload, caller.correlation_id, user.company_id)
    return UserOut.of(dal.get_user(conn, user_id))
