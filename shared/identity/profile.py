"""The caller's own account: the role chosen once, the profile, the avatar."""

from __future__ import annotations

from shared.dal.sql import Conn
from shared.errors import ConflictError
from shared.identity import dal
from shared.identity.caller import Caller
from shared.identity.events import emit
from shared.identity.models import ProfileUpdate, Role, UserOut
from shared.models.events.identity import UserRoleSelected, UserUpdated


def select_role(conn: Conn, caller: Caller, role: Role) -> UserOut:
    user = dal.get_user(conn, caller.id, lock=True)
    if user.role != "pending":
        raise ConflictError("The role has already been chosen.")
    dal.set_role(conn, user.id, role)
    emit(
        conn,
        "user.role_selected",
        UserRoleSelected(user_id=user.id, role=role, previous_role=user.role, actor_id=caller.id),
        caller.correlation_id,
    )
    return UserOut.of(dal.get_user(conn, user.id))


def update_profile(conn: Conn, caller: Caller, update: ProfileUpdate) -> UserOut:
    changes: dict[str, str | None] = update.model_dump(include=update.model_fields_set)
    return _change_profile(conn, caller, changes)


def _change_profile(conn: Conn, caller: Caller, changes: dict[str, str | None]) -> UserOut:
    dal.update_profile(conn, caller.id, changes)
    emit(
        conn,
        "user.updated",
        UserUpdated(user_id=caller.id, changed_fields=sorted(changes), actor_id=caller.id),
        caller.correlation_id,
        caller.user.company_id,
    )
    return UserOut.of(dal.get_user(conn, caller.id))


def set_avatar(conn: Conn, caller: Caller, key: str) -> UserOut:
    return _change_profile(conn, caller, {"avatar_key": key})
