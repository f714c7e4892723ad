"""The privacy sweep: erase the candidate data of invitations finished longer ago than their
company's retention period, and finish every erasure a failed run left requested (the same
erasure code as the candidate's own request)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from shared.privacy import dal
from shared.privacy.erasure import ErasureDeps, finish_due


@dataclass(frozen=True, slots=True)
class SweepReport:
    requested: int
    erased: int
    failing: int


def sweep(deps: ErasureDeps, *, batch: int, deadline: float) -> SweepReport:
    """Rounds of ``batch`` until nothing is due, a round erased nothing new, or ``deadline``
    (``time.monotonic()``) passes: the next run goes on where this one stopped."""
    requested = erased = failing = 0
    while time.monotonic() < deadline:
        with deps.transact() as conn:
            new = dal.request_retention_erasures(conn, batch)
        done, failed = finish_due(deps, batch)
        requested, erased, failing = requested + new, erased + done, failing + failed
        if new == 0 and done == 0:
            break
    return SweepReport(requested=requested, erased=erased, failing=failing)
