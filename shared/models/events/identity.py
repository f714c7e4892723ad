"""Payloads of the identity context's events (users and companies)."""

from __future__ import annotations

from datetime import datetime
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


class UserVerificationRequested(EventPayload):
    """A sign-up (or a repeated one) asks the address to prove itself: the link goes there."""

    user_id: UUID
    email: Email
    # The emailed link's row (its token is derived from it with the app key at send time).
    link_id: UUID
    expires_at: datetime


class UserRegistrationRepeated(EventPayload):
    """Someone signed up again with an address whose account is already verified: its owner
    is told (and nobody else learns anything)."""

    user_id: UUID
    email: Email


class UserEmailVerified(EventPayload):
    user_id: UUID
    email: Email


class UserPasswordResetRequested(EventPayload):
    user_id: UUID
    email: Email
    link_id: UUID
    expires_at: datetime


class UserPasswordReset(EventPayload):
    """The password was set through a reset link: every session of the user was ended."""

    user_id: UUID
    email: Email


class UserEmailChangeRequested(EventPayload):
    """The confirmation goes to the new address; nothing changes until it is followed."""

    user_id: UUID
    new_email: Email
    link_id: UUID
    expires_at: datetime


class UserEmailChanged(EventPayload):
    user_id: UUID
    previous_email: Email
    email: Email


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


SkillName = Annotated[str, Field(min_length=1, max_length=100)]


class SkillChanged(EventPayload):
    """The skills taxonomy changed: a category or a skill was created, changed or retired."""

    kind: Literal["category", "skill"]
    id: UUID
    name: SkillName
    # The skill's category (None for a category).
    category_id: UUID | None = None
    changed_fields: Annotated[list[FieldName], Field(max_length=5, default_factory=list)]
    actor_id: UUID


IDENTITY_EVENTS: dict[str, type[BaseModel]] = {
    "user.registered": UserRegistered,
    "user.role_selected": UserRoleSelected,
    "user.updated": UserUpdated,
    "user.suspended": UserSuspended,
    "user.activated": UserActivated,
    "user.deleted": UserDeleted,
    "user.verification_requested": UserVerificationRequested,
    "user.registration_repeated": UserRegistrationRepeated,
    "user.email_verified": UserEmailVerified,
    "user.password_reset_requested": UserPasswordResetRequested,
    "user.password_reset": UserPasswordReset,
    "user.email_change_requested": UserEmailChangeRequested,
    "user.email_changed": UserEmailChanged,
    "company.created": CompanyCreated,
    "company.member_added": CompanyMemberAdded,
    "skill.created": SkillChanged,
    "skill.updated": SkillChanged,
    "skill.retired": SkillChanged,
}
