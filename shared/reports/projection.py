"""The reports consumer's effect, in its deduplicated transaction: the invitation facts kept
from the events, and the jobs the events cause (a PDF when the analysis completes and again when
the decision changes; whatever job a route asked for). The jobs run after the commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from statistics import fmean
from typing import Any
from uuid import UUID

from shared.analysis import public as analysis
from shared.dal.sql import Conn
from shared.events.catalogue import payload_model
from shared.events.envelope import EventEnvelope
from shared.observability import logger
from shared.reports import dal
from shared.reports.pdf import CRITERIA

CONSUMER = "reports"
FACT_EVENTS = (
    "invitation.created",
    "invitation.started",
    "invitation.completed",
    "invitation.expired",
    "invitation.cancelled",
    "response.submitted",
    "analysis.failed",
)
PDF_EVENTS = ("analysis.completed", "analysis.human_review", "candidate.decided")
EVENT_TYPES = (*FACT_EVENTS, *PDF_EVENTS, "report.requested")

# (job id, revision) queued by the effects of a batch, run once the batch committed.
_queued: ContextVar[list[tuple[UUID, int]] | None] = ContextVar("reports_queued", default=None)


@contextmanager
def tracking_jobs() -> Iterator[list[tuple[UUID, int]]]:
    jobs: list[tuple[UUID, int]] = []
    token = _queued.set(jobs)
    try:
        yield jobs
    finally:
        _queued.reset(token)


def _track(job_id: UUID, revision: int) -> None:
    jobs = _queued.get()
    if jobs is not None:
        jobs.append((job_id, revision))


def criteria_means(view: analysis.AnalysisView | None) -> dict[str, float | None]:
    """Each criterion's mean over the answers that were scored on it."""
    means: dict[str, float | None] = {}
    for name in CRITERIA:
        scores = [
            a.criteria[name].score
            for a in (view.answers if view else [])
            if a.criteria and name in a.criteria
        ]
        means[name] = round(fmean(scores), 2) if scores else None
    return means


def on_event(conn: Conn, envelope: EventEnvelope) -> None:  # noqa: PLR0912 - one branch per type
    company = envelope.tenant_id
    if company is None:
        logger.warning("event without a tenant ignored", extra={"type": envelope.event_type})
        return
    kind = envelope.event_type
    p: Any = payload_model(kind).model_validate(envelope.payload)
    at = envelope.occurred_at
    if kind == "report.requested":
        _track(p.job_id, p.revision)
        return
    invitation: UUID = p.invitation_id
    if kind == "invitation.created":
        dal.record_invitation(
            conn,
            company_id=company,
            invitation_id=invitation,
            template_id=p.template_id,
            candidate_name=p.candidate_name,
            candidate_email=p.candidate_email,
            invited_at=at,
        )
    elif kind == "invitation.started":
        _times(conn, company, invitation, p.template_id, started_at=p.started_at)
    elif kind == "invitation.completed":
        _times(conn, company, invitation, p.template_id, completed_at=p.completed_at)
        for question in p.questions:
            if any(a.question_id == question.question_id for a in p.answers):
                dal.record_answer(
                    conn,
                    company_id=company,
                    invitation_id=invitation,
                    template_id=p.template_id,
                    position=question.position,
                )
    elif kind == "invitation.expired":
        _times(conn, company, invitation, p.template_id, expired_at=at)
    elif kind == "invitation.cancelled":
        _times(conn, company, invitation, p.template_id, cancelled_at=at)
    elif kind == "response.submitted":
        if p.question is not None:
            dal.record_answer(
                conn,
                company_id=company,
                invitation_id=invitation,
                template_id=None,
                position=p.question.position,
            )
    elif kind == "analysis.failed":
        dal.record_analysis(
            conn,
            company_id=company,
            invitation_id=invitation,
            facts=dal.AnalysisFacts(status="failed", at=at),
        )
    else:
        _on_report_event(conn, company, invitation, kind, p, envelope)


def _times(conn: Conn, company: UUID, invitation: UUID, template: UUID, **times: Any) -> None:
    dal.record_invitation(
        conn, company_id=company, invitation_id=invitation, template_id=template, **times
    )


def _on_report_event(  # noqa: PLR0917
    conn: Conn, company: UUID, invitation: UUID, kind: str, p: Any, envelope: EventEnvelope
) -> None:
    """analysis.completed / human_review / candidate.decided: the facts, and the PDF again."""
    if kind == "candidate.decided":
        dal.record_decision(
            conn,
            company_id=company,
            invitation_id=invitation,
            decision=p.decision,
            at=envelope.occurred_at,
        )
    elif kind == "analysis.completed":
        view = analysis.analysis_for_invitation(conn, company, invitation)
        dal.record_analysis(
            conn,
            company_id=company,
            invitation_id=invitation,
            facts=dal.AnalysisFacts(
                status="completed",
                at=envelope.occurred_at,
                overall=p.overall,
                recommendation=p.recommendation,
                criteria=criteria_means(view),
            ),
        )
    else:
        dal.record_analysis(
            conn,
            company_id=company,
            invitation_id=invitation,
            facts=dal.AnalysisFacts(status="human_review", at=envelope.occurred_at),
        )
    job = dal.queue_pdf(conn, company_id=company, invitation_id=invitation)
    _track(job["id"], job["revision"])
