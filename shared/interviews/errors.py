"""Interviews' own errors (the generic ones are the kernel's, in ``shared/errors.py``)."""

from __future__ import annotations

from shared.errors import DomainError


class InvitationGoneError(DomainError):
    """The link no longer opens anything: the invitation expired or was cancelled."""

    status = 410
    title = "Gone"
    type_slug = "invitation-gone"
