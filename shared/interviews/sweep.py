"""The scheduled sweep: expire overdue invitations, auto-complete timed-out interviews (idle, or
past the total time limit).

Each batch is one transaction that claims its invitations with ``FOR UPDATE SKIP LOCKED``: two
sweeps running at once (or a sweep and a candidate's request) never act twice on one invitation,
and the state-guarded UPDATEs in `lifecycle` make a repeated transition a no-op. Overdue ones go
first, so an invitation past its deadline is expired, never auto-completed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from shared.interviews import candidate_dal as dal
from shared.interviews import lifecycle
from shared.interviews.deps import Transact
from shared.interviews.settings import CandidateSettings


@dataclass(slots=True)
class SweepReport:
    expired: int = 0
    auto_completed: int = 0
    batches: int = 0


def _expire_batch(transact: Transact, limit: int, cid: str) -> int:
    with transact() as conn:
        claimed = dal.claim_overdue(conn, limit)
        for invitation in claimed:
            lifecycle.expire(conn, invitation, cid)
    return len(claimed)


def _timeout_batch(transact: Transact, settings: CandidateSettings, limit: int, cid: str) -> int:
    with transact() as conn:
        claimed = dal.claim_timed_out(
            conn, settings.idle_timeout_s, settings.time_limit_grace_s, limit
        )
        for invitation in claimed:
            lifecycle.complete(conn, invitation, "auto_timeout", cid)
    return len(claimed)


def sweep(
    transact: Transact, settings: CandidateSettings, cid: str, *, deadline: float
) -> SweepReport:
    """Batches until nothing is left, the batch budget is spent, or the deadline (monotonic)."""
    report = SweepReport()
    size = settings.sweep_batch_size
    for _ in range(settings.sweep_max_batches):
        if time.monotonic() >= deadline:
            return report
        done = _expire_batch(transact, size, cid)
        report.expired += done
        report.batches += 1
        if done < size:
            break
    for _ in range(settings.sweep_max_batches):
        if time.monotonic() >= deadline:
            return report
        done = _timeout_batch(transact, settings, size, cid)
        report.auto_completed += done
        report.batches += 1
        if done < size:
            break
    return report
