"""The kinds of message, who receives each, and which events cause them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "account": mail about a user's own account, to the address the event names (it may not be
# the account's address yet: a sign-up, an email change).
Audience = Literal["candidate", "hr", "account"]


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    audience: Audience
    # Transactional mail (the invitation and what changes it) always goes; every other kind
    # honours preferences and carries List-Unsubscribe (RFC 8058).
    transactional: bool
    # The template's version: a changed template is a new version (its files beside the old).
    version: int = 1
    # Whether the body carries the candidate's link (opened from its sealed copy at send time).
    carries_link: bool = False
    # The emailed account link it carries (shared/identity/links.py), by purpose.
    account_link: str | None = None


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("invitation", "candidate", True, carries_link=True),
        Kind("invitation_resent", "candidate", True, carries_link=True),
        Kind("invitation_extended", "candidate", True, carries_link=True),
        Kind("invitation_cancelled", "candidate", True),
        Kind("invitation_reminder", "candidate", False, carries_link=True),
        Kind("interview_completed", "hr", False),
        # v2: one message for an AI analysis done and for a human-only review ready.
        Kind("analysis_ready", "hr", False, version=2),
        Kind("analysis_failed", "hr", False),
        # To the HR user who registered the endpoint: what they must act on.
        Kind("webhook_disabled", "hr", True),
        # Billing's dunning, to the company's owner (queued by billing through public.py).
        Kind("payment_failed", "hr", True),
        Kind("plan_downgraded", "hr", True),
        # Account mail: always transactional (it is what the account needs to work).
        Kind("verify_email", "account", True, account_link="verify_email"),
        Kind("registration_repeated", "account", True),
        Kind("password_reset", "account", True, account_link="password_reset"),
        Kind("password_changed", "account", True),
        Kind("email_change", "account", True, account_link="email_change"),
        Kind("email_changed", "account", True),
    )
}

# Which event causes which kind (one message per event and recipient).
KIND_OF_EVENT: dict[str, str] = {
    "invitation.created": "invitation",
    "invitation.resent": "invitation_resent",
    "invitation.extended": "invitation_extended",
    "invitation.cancelled": "invitation_cancelled",
    "invitation.completed": "interview_completed",
    "analysis.completed": "analysis_ready",
    # The candidate declined AI analysis: HR hears the interview is ready, as they would have.
    "analysis.human_review": "analysis_ready",
    "analysis.failed": "analysis_failed",
    "user.verification_requested": "verify_email",
    "user.registration_repeated": "registration_repeated",
    "user.password_reset_requested": "password_reset",
    "user.password_reset": "password_changed",
    "user.email_change_requested": "email_change",
    "user.email_changed": "email_changed",
}

# Account mail: the payload field holding the address it goes to.
ACCOUNT_RECIPIENT_FIELD: dict[str, str] = {
    "verify_email": "email",
    "registration_repeated": "email",
    "password_reset": "email",
    "password_changed": "email",
    "email_change": "new_email",
    # The notice of a change goes to the address the account had.
    "email_changed": "previous_email",
}

OPTIONAL_KINDS = tuple(sorted(name for name, k in KINDS.items() if not k.transactional))
