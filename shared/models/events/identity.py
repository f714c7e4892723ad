"""Payloads of the identity context's events (users and companies)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.models.events import EventPayload

Email = Annotated[
    str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
]
Role = Literal["pending", "hr", "candidate", "admin"]
FieldName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class UserRegistered(EventPayload):
    user_id: UUID
    email: Email
    role: Role = "pending"


class UserRoleSelected(EventPayload):
    user_id: UUID
    role: Role
    previous_role: Role
    # The user themself, or an admin changing someone's role.
    actor_id: UUID


class UserUpdated(EventPayload):
    user_id: UUID
    changed_fields: Annotated[list[FieldName], Field(min_length=1, max_length=20)]
    actor_id: UUID


class UserSuspended(EventPayload):
    user_id: UUID
    actor_id: UUID
    reason: Reason | None = None


class UserActivated(EventPayload):
    user_id: UUID
    actor_id: UUID


class UserDeleted(EventPayload):
    user_id: UUID
    actor_id: UUID
    reason: Reason | None = None


class CompanyCreated(EventPayload):
    company_id: UUID
    name: Annotated[str, Field(min_length=1, max_length=255)]
    # The HR user who created it and became its owner.
    actor_id: UUID


class CompanyMemberAdded(EventPayload):
    company_id: UUID
    user_id: UUID
    role: Literal["owner", "member"] = "member"
    actor_id: UUID


IDENTITY_EVENTS: dict[str, type[BaseModel]] = {
    "user.registered": UserRegistered,
    "user.role_selected": UserRoleSelected,
    "user.updated": UserUpdated,
    "user.suspended": UserSuspended,
    "user.activated": UserActivated,
    "user.deleted": UserDeleted,
    "company.created": CompanyCreated,
    "company.member_added": CompanyMemberAdded,
}
