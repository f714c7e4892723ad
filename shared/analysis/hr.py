"""HR's use cases on an analysis: read it, and run a failed one again."""

from __future__ import annotations

from uuid import UUID

from shared.analysis import dal
from shared.analysis.models import AnalysisView, RetryAccepted
from shared.analysis.reads import analysis_for_invitation
from shared.dal.sql import Conn
from shared.errors import ConflictError, NotFoundError
from shared.events.audit import ANALYSIS_VIEWED, AccessBy
from shared.events.factory import new_event
from shared.events.outbox import enqueue
from shared.models.events.analysis import AnalysisStarted

SOURCE = "platform.analysis"


def _not_found(invitation_id: UUID) -> NotFoundError:
    return NotFoundError(f"No analysis for invitation {invitation_id}.")


def get_analysis(
    conn: Conn, company_id: UUID | None, invitation_id: UUID, viewer: AccessBy | None = None
) -> AnalysisView:
    """The invitation's analysis with its explanation; the ``viewer``'s opening of it goes to
    the audit log."""
    view = (
        analysis_for_invitation(conn, company_id, invitation_id, explain=True)
        if company_id
        else None
    )
    if view is None or company_id is None:
        raise _not_found(invitation_id)
    if viewer is not None:
        viewer.record(conn, ANALYSIS_VIEWED, company_id, invitation_id)
    return view


def retry_analysis(
    conn: Conn, company_id: UUID | None, invitation_id: UUID, correlation_id: str
) -> RetryAccepted:
    """Failed -> running as a new attempt, from the stored answers and transcripts (nothing is
    re-recorded). Only a failed analysis can be retried: anything else (a human-only review
    included: the candidate declined AI analysis) is a 409."""
    row = dal.lock_for_retry(conn, company_id, invitation_id) if company_id else None
    if row is None:
        raise _not_found(invitation_id)
    if row.status == "human_review":
        raise ConflictError(
            "The candidate declined AI analysis: this interview is a human-only review, and no"
            " AI analysis can run on it."
        )
    if row.status != "failed":
        raise ConflictError(f"The analysis is {row.status}; only a failed analysis can be retried.")
    attempt = dal.restart(conn, row.id)
    enqueue(
        conn,
        new_event(
            "analysis.started",
            AnalysisStarted(
                analysis_id=row.id, invitation_id=invitation_id, attempt=attempt, trigger="retry"
            ),
            source=SOURCE,
            correlation_id=correlation_id,
            tenant_id=company_id,
        ),
    )
    return RetryAccepted(
        analysis_id=row.id, invitation_id=invitation_id, attempt=attempt, status="running"
    )
