"""The kinds of message, who receives each, and which events cause them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Audience = Literal["candidate", "hr"]


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


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("invitation", "candidate", True, carries_link=True),
        Kind("invitation_resent", "candidate", True, carries_link=True),
        Kind("invitation_extended", "candidate", True, carries_link=True),
        Kind("invitation_cancelled", "candidate", True),
        Kind("invitation_reminder", "candidate", False, carries_link=True),
        Kind("interview_completed", "hr", False),
        Kind("analysis_ready", "hr", False),
        Kind("analysis_failed", "hr", False),
        # To the HR user who registered the endpoint: what they must act on.
        Kind("webhook_disabled", "hr", True),
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
    "analysis.failed": "analysis_failed",
}

OPTIONAL_KINDS = tuple(sorted(name for name, k in KINDS.items() if not k.transactional))
