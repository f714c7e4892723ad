"""When an analysis starts: once the invitation is completed AND every media answer's upload has
its transcript (media.transcribed; the MP4 may still be encoding) or failed, whichever of those
events comes last. Exactly once per invitation.

Before that, each answer is assessed as soon as it is final (see ``incremental``):
response.submitted records the answer version, and it is queued once its transcript is stored
(or at once for text and choice answers).

A candidate who declined AI analysis gets a human-only review instead: at that same moment (the
media transcribed, so HR has captions and transcripts) the analysis is created already ended,
as ``human_review``, and ``analysis.human_review`` tells HR the interview is ready for review.
No workflow starts, so no model (Groq or the offline engine) ever reads the answers.

Each event's effect runs in the consumer's transaction (with its processed_events claim) and
first locks the invitation's trigger row, so two events about one invitation never decide at the
same time; the analyses table's unique invitation_id is the second guard. The start itself is
the ``analysis.started`` event in the outbox of that same transaction (a rule starts the state
machine from it), so a rolled-back decision starts nothing and a committed one is never lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from shared.analysis import dal, incremental
from shared.analysis.models import Weights
from shared.dal.sql import Conn
from shared.events.envelope import EventEnvelope
from shared.events.factory import new_event
from shared.events.outbox import enqueue
from shared.models.events import EventPayload
from shared.models.events.analysis import AnalysisHumanReview, AnalysisStarted
from shared.models.events.interviews import InvitationCompleted
from shared.models.events.media import MediaFailed, MediaProcessed, MediaTranscribed
from shared.observability import logger

TRIGGER_CONSUMER = "analysis-trigger"
TRIGGER_EVENT_TYPES = (
    "invitation.completed",
    "response.submitted",
    "media.transcribed",
    "media.processed",
    "media.failed",
)
SOURCE = "platform.analysis"
HUMAN_REVIEW_REASON = (
    "The candidate declined AI analysis: no AI model read the answers and there are no AI"
    " scores. The recordings, their transcripts and the written answers are ready for your own"
    " review."
)


def pending_uploads(
    completed: InvitationCompleted, outcomes: Mapping[UUID, tuple[str, str | None]]
) -> list[UUID]:
    """The media answers' uploads the pipeline has not reported on yet."""
    return [
        a.upload_id
        for a in completed.answers
        if a.kind == "media" and a.upload_id is not None and a.upload_id not in outcomes
    ]


def on_event(conn: Conn, envelope: EventEnvelope) -> None:
    """The trigger consumer's effect for one event."""
    if envelope.tenant_id is None:
        logger.warning(
            "trigger event without a tenant ignored", extra={"type": envelope.event_type}
        )
        return
    company_id = envelope.tenant_id
    if envelope.event_type == "invitation.completed":
        completed = InvitationCompleted.model_validate(envelope.payload)
        row = dal.lock_trigger(conn, completed.invitation_id, company_id)
        if row.company_id != company_id:
            logger.warning("invitation.completed of another tenant ignored")
            return
        dal.save_completed(
            conn, completed.invitation_id, completed.model_dump(mode="json"), completed.completed_at
        )
        invitation_id = completed.invitation_id
    elif envelope.event_type == "response.submitted":
        incremental.on_submitted(conn, envelope, company_id)
        return
    elif envelope.event_type in ("media.transcribed", "media.processed", "media.failed"):
        media: MediaTranscribed | MediaProcessed | MediaFailed
        if envelope.event_type == "media.transcribed":
            media = MediaTranscribed.model_validate(envelope.payload)
            status, reason = "transcribed", None
        elif envelope.event_type == "media.processed":
            media = MediaProcessed.model_validate(envelope.payload)
            status, reason = "ready", None
        else:
            media = MediaFailed.model_validate(envelope.payload)
            # A playback failure that kept a good transcript: the answer can still be assessed.
            status = "transcribed" if media.transcript_kept else "failed"
            reason = f"media failed at {media.failed_step}: {media.reason}"
        row = dal.lock_trigger(conn, media.invitation_id, company_id)
        if row.company_id != company_id:
            logger.warning("media event of another tenant ignored")
            return
        dal.record_media_outcome(
            conn,
            upload_id=media.upload_id,
            invitation_id=media.invitation_id,
            company_id=company_id,
            status=status,
            reason=reason[:1000] if reason else None,
        )
        invitation_id = media.invitation_id
        started = start_if_ready(
            conn, invitation_id, company_id, envelope.correlation_id, envelope.event_id
        )
        # The answer is final. Unless this very event started the interview's analysis (which
        # assesses it at once), it is assessed now, before the interview completes.
        if started is None and dal.lock_trigger(conn, invitation_id, company_id).started_at is None:
            incremental.on_media(conn, media.upload_id, envelope)
        return
    else:
        return
    start_if_ready(conn, invitation_id, company_id, envelope.correlation_id, envelope.event_id)


def start_if_ready(
    conn: Conn,
    invitation_id: UUID,
    company_id: UUID,
    correlation_id: str,
    causation_id: UUID | None = None,
) -> UUID | None:
    """Create the analysis and enqueue its start when everything is in (caller holds the lock);
    for a candidate who declined AI analysis, the human-only review and its event instead."""
    row = dal.lock_trigger(conn, invitation_id, company_id)
    if row.started_at is not None or row.completed is None:
        return None
    completed = InvitationCompleted.model_validate(row.completed)
    waiting = pending_uploads(completed, dal.media_outcomes(conn, invitation_id))
    if waiting:
        logger.info("analysis waits for media", extra={"waiting": [str(u) for u in waiting]})
        return None
    weights = Weights(**completed.scoring_weights.model_dump())
    if completed.ai_analysis:
        analysis_id = dal.create_analysis(
            conn, company_id=company_id, invitation_id=invitation_id, weights=weights
        )
    else:
        analysis_id = dal.create_human_review(
            conn,
            company_id=company_id,
            invitation_id=invitation_id,
            weights=weights,
            reason=HUMAN_REVIEW_REASON,
        )
    dal.mark_started(conn, invitation_id)
    if analysis_id is None:
        return None
    payload: EventPayload
    if completed.ai_analysis:
        event_type, said = "analysis.started", "analysis started"
        payload = AnalysisStarted(
            analysis_id=analysis_id, invitation_id=invitation_id, attempt=1, trigger="initial"
        )
    else:
        event_type, said = "analysis.human_review", "human-only review ready (AI declined)"
        payload = AnalysisHumanReview(
            analysis_id=analysis_id, invitation_id=invitation_id, reason=HUMAN_REVIEW_REASON
        )
    enqueue(
        conn,
        new_event(
            event_type,
            payload,
            source=SOURCE,
            correlation_id=correlation_id,
            tenant_id=company_id,
            causation_id=causation_id,
        ),
    )
    logger.info(said, extra={"analysis_id": str(analysis_id)})
    return analysis_id
