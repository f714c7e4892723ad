"""Identity's boundary models: requests, responses and rows, each with its limits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.identity.passwords import MAX_LENGTH, MIN_LENGTH, policy_violations
from shared.models.fields import Email

Role = Literal["pending", "hr", "candidate", "admin"]
Status = Literal["active", "suspended", "deleted"]
SelectableRole = Literal["hr", "candidate"]
SizeBand = Literal["1-10", "11-50", "51-200", "201-1000", "1000+"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- auth ----------------------------------------------------------------------------------
# A password being set: the policy's validator gives the 422 its words (naming body.password);
# the document states the same bounds.
NewPassword = Annotated[
    str,
    Field(
        max_length=MAX_LENGTH * 4,
        json_schema_extra={"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH},
    ),
]


def _checked_password(value: str, email: str | None) -> str:
    problems = policy_violations(value, email)
    if problems:
        raise ValueError("password " + "; ".join(problems))
    return value


class RegisterRequest(_Request):
    email: Email
    password: NewPassword

    @field_validator("password")
    @classmethod
    def _password_policy(cls, value: str, info: ValidationInfo) -> str:
        # A field validator, so the 422 names body.password; email is validated before it.
        return _checked_password(value, info.data.get("email"))


class RegistrationAccepted(BaseModel):
    """The answer to every well-formed registration, whether or not the email already had an
    account: registration must not tell anyone which emails exist."""

    status: Literal["accepted"] = "accepted"
    email: str
    detail: str = "Check your inbox: follow the link we sent to confirm the address, then sign in."


LinkPurpose = Literal["verify_email", "password_reset", "email_change"]
# An emailed link's token (shared/identity/links.py): the link's id and its signature.
LinkToken = Annotated[
    str,
    StringConstraints(min_length=40, max_length=120, pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"),
]


class AccountLinkRow(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    purpose: LinkPurpose
    new_email: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


class VerifyEmailRequest(_Request):
    token: LinkToken


class PasswordResetRequest(_Request):
    email: Email


class PasswordResetConfirm(_Request):
    token: LinkToken
    password: NewPassword

    @field_validator("password")
    @classmethod
    def _password_policy(cls, value: str) -> str:
        return _checked_password(value, None)


class EmailChangeRequest(_Request):
    email: Email
    # The current password: a stolen session alone cannot move the account to another address.
    password: Annotated[str, Field(min_length=1, max_length=MAX_LENGTH * 4)]


class EmailChangeConfirm(_Request):
    token: LinkToken


class LinkSent(BaseModel):
    """The answer to a request for an emailed link: the same whether or not anything was sent
    (it must not tell anyone which emails have accounts)."""

    status: Literal["accepted"] = "accepted"
    detail: str


class EmailVerified(BaseModel):
    status: Literal["verified"] = "verified"
    email: str


class LoginRequest(_Request):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=MAX_LENGTH * 4)]


class RefreshRequest(_Request):
    refresh_token: Annotated[str, Field(min_length=16, max_length=256)]


class LogoutRequest(_Request):
    refresh_token: Annotated[str, Field(min_length=16, max_length=256)]


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth token type
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


# ---- users ---------------------------------------------------------------------------------
class Profile(BaseModel):
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    bio: str | None = None
    timezone: str | None = None
    language: str | None = None
    avatar_key: str | None = None


class UserRow(Profile):
    """A row of identity.users (with the profile columns it shares with Profile)."""

    id: uuid.UUID
    email: str
    password_hash: str
    role: Role
    status: Status
    created_at: datetime
    updated_at: datetime
    email_verified_at: datetime | None = None
    # Access tokens issued before this are refused (set by a password reset).
    sessions_valid_after: datetime | None = None
    company_id: uuid.UUID | None = None
    # The company's flag (None without a company): a deactivated company is read-only.
    company_active: bool | None = None

    def profile(self) -> Profile:
        return Profile.model_validate(self.model_dump())


class UserOut(BaseModel):
    """A user as callers see it (never the password hash)."""

    id: uuid.UUID
    email: str
    role: Role
    status: Status
    profile: Profile
    company_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: UserRow) -> UserOut:
        return cls(
            id=row.id,
            email=row.email,
            role=row.role,
            status=row.status,
            profile=row.profile(),
            company_id=row.company_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class SelectRoleRequest(_Request):
    role: SelectableRole


class ProfileUpdate(_Request):
    """Only the fields present change; null clears a field."""

    first_name: Name | None = None
    last_name: Name | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{5,32}$")] | None = None
    bio: Annotated[str, StringConstraints(max_length=2000)] | None = None
    timezone: (
        Annotated[
            str, StringConstraints(pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$", max_length=64)
        ]
        | None
    ) = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")] | None = None

    @model_validator(mode="after")
    def _something(self) -> ProfileUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class AvatarUploadRequest(_Request):
    content_type: Literal["image/jpeg", "image/png"]


class AvatarUpload(BaseModel):
    url: str
    fields: dict[str, str]
    key: str
    expires_in: int
    max_bytes: int


class AvatarConfirmRequest(_Request):
    key: Annotated[str, StringConstraints(min_length=1, max_length=512)]


class AdminRoleRequest(_Request):
    role: Role


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


# ---- companies -----------------------------------------------------------------------------
class CompanyCreate(_Request):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    website: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]{1,240}$")] | None = None
    industry: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    size_band: SizeBand | None = None


class CompanyOut(BaseModel):
    id: uuid.UUID
    name: str
    website: str | None
    industry: str | None
    size_band: SizeBand | None
    owner_id: uuid.UUID
    active: bool
    created_at: datetime
    updated_at: datetime


class MemberAdd(_Request):
    user_id: uuid.UUID


class MemberOut(BaseModel):
    company_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    member_role: Literal["owner", "member"]
    created_at: datetime


# ---- external identities (other OIDC issuers) ----------------------------------------------
class IdentityLinkRequest(_Request):
    """An ID or access token of another configured OIDC issuer, presented by the signed-in
    user it is to be linked to."""

    token: Annotated[str, Field(min_length=16, max_length=8192)]


class ExternalIdentityOut(BaseModel):
    issuer: str
    subject: str
    created_at: datetime


class RegisterFingerprint(BaseModel):
    """What a sign-up's Idempotency-Key is bound to: the email only. The password never goes
    into the replay store (not even hashed), and a replay with another password is a replay."""

    email: str
