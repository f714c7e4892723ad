"""What other contexts may use of notifications: queue an email to a company's user.

The message is queued in the caller's transaction (once per ``dedupe_key``: a retried caller
queues nothing new) and sent by the notifications sweep within a minute, through SES like every
other message (suppressions honoured)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.dal.sql import Conn

__all__ = ["erase_invitation_mail", "queue_company_mail"]


def queue_company_mail(
    conn: Conn,
    *,
    kind: str,
    recipient: str,
    company_id: uuid.UUID,
    dedupe_key: str,
    params: dict[str, str],
) -> uuid.UUID | None:
    """The queued message's id, or None when that dedupe key was queued before."""
    from shared.notifications import dal  # noqa: PLC0415
    from shared.notifications.kinds import KINDS  # noqa: PLC0415

    kind_of = KINDS[kind]
    return dal.queue_message(
        conn,
        dedupe_key=dedupe_key,
        kind=kind,
        version=kind_of.version,
        recipient=recipient,
        company_id=company_id,
        invitation_id=None,
        event_id=None,
        params=params,
    )


def erase_invitation_mail(
    conn: Conn, invitation_id: uuid.UUID, candidate_email: str, pseudonym: str
) -> int:
    """Erasure of an invitation's candidate: their queued (unsent) messages are suppressed,
    never to be sent; every message of the invitation forgets the candidate's name, and those
    to the candidate their address (the delivery log keeps the rows, pseudonymised). A
    message already handed to SES (``sending``) is beyond recall. How many were suppressed."""
    from shared.notifications import dal  # noqa: PLC0415

    return dal.erase_invitation_mail(conn, invitation_id, candidate_email, pseudonym)
