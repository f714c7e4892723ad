"""The link token resolved to its invitation, for every candidate use case (one transaction each,
events in the outbox).

Token failures: a malformed, tampered or unknown token is 404 (nothing says whether a link ever
existed); an expired or a cancelled invitation, and a pending one of a deactivated company,
is 410 (the link was real and is dead: the candidate gets a clear answer, and a cancelled link
behaves exactly like an expired one). An invitation found overdue at request time is expired on
the spot, with its event, and then answers 410. A completed interview can still be read; every
write on it is 409."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from shared.dal.sql import Conn
from shared.errors import NotFoundError
from shared.interviews import candidate_dal as dal
from shared.interviews import lifecycle
from shared.interviews.deps import Deps
from shared.interviews.errors import InvitationGoneError
from shared.interviews.rows import InvitationRow, QuestionRow
from shared.interviews.tokens import hash_token, looks_like_token

NOT_FOUND = "No interview for this link."


def with_invitation[T](
    deps: Deps,
    token: str,
    cid: str,
    action: Callable[[Conn, InvitationRow], T],
    *,
    write: bool,
) -> T:
    """Resolve the link and run ``action`` in one transaction. An overdue invitation is expired
    on the spot (committed, then 410); an interview idle past the timeout, or past its total
    time limit and the grace, is auto-completed on the spot (committed), and ``action`` then
    runs on the completed interview."""
    if not looks_like_token(token):
        raise NotFoundError(NOT_FOUND)
    token_hash = hash_token(token)
    expired = timed_out = False
    with deps.transact() as conn:
        invitation = dal.find_invitation_by_token(conn, token_hash, lock=write)
        if invitation is None:
            raise NotFoundError(NOT_FOUND)
        now = deps.now()
        if not write and (
            lifecycle.is_overdue(invitation, now)
            or lifecycle.times_out(invitation, now, deps.settings)
        ):
            # Lock it now (readers do not lock), then look again: the sweep may have won.
            invitation = dal.find_invitation_by_token(conn, token_hash, lock=True)
            assert invitation is not None
        if lifecycle.is_overdue(invitation, now):
            lifecycle.expire(conn, invitation, cid)
            expired = True
        elif invitation.status in {"expired", "cancelled"}:
            raise InvitationGoneError(
                f"This interview link is dead: the invitation was {invitation.status}."
            )
        elif invitation.status == "pending" and not _company_is_active(conn, invitation):
            # A deactivated company starts nothing new; a running interview may finish, and
            # reactivation opens the pending links again.
            raise InvitationGoneError("This interview link is not open: the company is inactive.")
        elif lifecycle.times_out(invitation, now, deps.settings):
            lifecycle.complete(conn, invitation, "auto_timeout", cid)
            timed_out = True
        else:
            result = action(conn, invitation)
    if expired:
        raise InvitationGoneError("This interview link has expired.")
    if timed_out:
        # The completion is committed; the request now meets a completed interview (reads
        # answer, writes are 409, complete answers the completion).
        return with_invitation(deps, token, cid, action, write=write)
    return result


def _company_is_active(conn: Conn, invitation: InvitationRow) -> bool:
    from shared.identity.public import company_is_active  # noqa: PLC0415 - pending links only

    return company_is_active(conn, invitation.company_id)


def question_of(conn: Conn, invitation: InvitationRow, question_id: uuid.UUID) -> QuestionRow:
    question = dal.question(conn, invitation.template_id, question_id)
    if question is None:
        raise NotFoundError("No such question in this interview.")
    return question
