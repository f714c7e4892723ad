"""Every analysis ends: the sweep fails attempts whose workflow can no longer finish them.

The state machine's own Catch records every failure it sees, but an execution can also end
without running it: the execution's timeout, an abort, a MarkFailed that ran out of retries, or
a start EventBridge never delivered (kept in the start DLQ). The sweep runs on a schedule, asks
Step Functions about each running attempt's execution (recorded by its Load step) and marks the
attempt failed, with ``analysis.failed`` and a reason, when that execution is no longer running
or never started. HR can then retry it like any failed analysis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.analysis import dal
from shared.analysis.trigger import pending_uploads, start_if_ready
from shared.analysis.workflow import Deps, mark_failed
from shared.models.events.interviews import InvitationCompleted
from shared.observability import logger


@dataclass(frozen=True, slots=True)
class Execution:
    """What Step Functions says of one execution (status ``MISSING`` when it has none)."""

    status: str
    error: str | None = None
    cause: str | None = None


class ExecutionUnknown(Exception):
    """Step Functions could not be asked now; the sweep tries again next time."""


Describe = Callable[[str], Execution]


@dataclass(frozen=True, slots=True)
class SweepReport:
    checked: int
    failed: int
    unknown: int
    restarted: int = 0


def stalled_reason(execution: Execution | None, age_s: float, start_grace_s: float) -> str | None:
    """Why a running attempt can no longer finish, or None while it still can.

    ``execution`` is None when no execution has recorded itself yet: normal for a moment after
    the start, a lost start once ``start_grace_s`` has passed.
    """
    if execution is None:
        if age_s <= start_grace_s:
            return None
        return (
            f"no analysis workflow took this attempt up within {start_grace_s:.0f} s (its start"
            " was not delivered, or the workflow failed before it could record itself)"
        )
    if execution.status == "RUNNING":
        return None
    if execution.status == "MISSING":
        return "the analysis workflow's execution no longer exists"
    reason = f"the analysis workflow ended {execution.status} without recording a result"
    if execution.cause:
        # The cause is the failing step's own text: for the logs, not for HR.
        logger.warning(
            "stalled execution", extra={"error": execution.error, "cause": execution.cause[:4000]}
        )
    return f"{reason} ({execution.error[:100]})" if execution.error else reason


def sweep(
    deps: Deps, describe: Describe, *, min_age_s: float, start_grace_s: float, limit: int
) -> SweepReport:
    """Check up to ``limit`` attempts running for ``min_age_s`` or more (a healthy analysis ends
    in seconds; younger ones are not worth a Step Functions call), oldest first; fail the
    stalled ones."""
    with deps.transaction() as conn:
        rows = dal.running(conn, min_age_s=min_age_s, limit=limit)
        dal.forget_old_budgets(conn)  # the shared budget's past minutes
    failed = unknown = 0
    for row in rows:
        try:
            execution = describe(row.execution_arn) if row.execution_arn else None
        except ExecutionUnknown as exc:
            unknown += 1
            logger.warning(
                "execution status unknown", extra={"analysis_id": str(row.id), "error": str(exc)}
            )
            continue
        reason = stalled_reason(execution, row.age_s, start_grace_s)
        if reason is None:
            continue
        if mark_failed(deps, row.id, row.attempt, reason)["status"] == "failed":
            failed += 1
    return SweepReport(checked=len(rows), failed=failed, unknown=unknown)


def restart_waiting(deps: Deps, *, min_age_s: float, limit: int) -> int:
    """Start the analyses still waiting for media that has in fact finished.

    The trigger learns of each media answer from ``media.processed``/``media.failed``; one that
    went to the trigger's DLQ during an outage (or a pipeline the media sweep finished late)
    would leave the analysis ``waiting`` for ever. For completed invitations waiting for
    ``min_age_s`` or more, the media's own rows are read back and recorded, and the analysis
    starts exactly as the last event would have started it (same lock, same unique analysis).
    """
    from shared.media.public import finished_media_of_uploads  # noqa: PLC0415

    started = 0
    with deps.transaction() as conn:
        waiting = dal.waiting_triggers(conn, min_age_s=min_age_s, limit=limit)
    for invitation_id, company_id in waiting:
        with deps.transaction() as conn:
            row = dal.lock_trigger(conn, invitation_id, company_id)
            if row.started_at is not None or row.completed is None:
                continue
            completed = InvitationCompleted.model_validate(row.completed)
            pending = pending_uploads(completed, dal.media_outcomes(conn, invitation_id))
            for upload_id, (status, reason) in finished_media_of_uploads(
                conn, company_id, pending
            ).items():
                dal.record_media_outcome(
                    conn,
                    upload_id=upload_id,
                    invitation_id=invitation_id,
                    company_id=company_id,
                    status=status,
                    reason=f"media failed: {reason}"[:1000] if status == "failed" else None,
                )
            analysis_id = start_if_ready(
                conn, invitation_id, company_id, correlation_id=f"analysis-sweep-{invitation_id}"
            )
            if analysis_id is None:
                dal.touch_trigger(conn, invitation_id)
            else:
                started += 1
                logger.info(
                    "waiting analysis started by the sweep",
                    extra={"analysis_id": str(analysis_id), "invitation_id": str(invitation_id)},
                )
    return started
