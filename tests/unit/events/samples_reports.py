"""Sample payloads of the reports events, for the catalogue's contract tests."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from shared.models.events import reports as rp

_JOB = uuid.UUID("00000000-0000-4000-8000-0000000000c1")
_INVITATION = uuid.UUID("00000000-0000-4000-8000-0000000000a2")

REPORTS_SAMPLES: dict[str, BaseModel] = {
    "report.requested": rp.ReportRequested(job_id=_JOB, kind="csv_export", revision=1),
    "report.ready": rp.ReportReady(
        job_id=_JOB,
        kind="candidate_pdf",
        revision=2,
        invitation_id=_INVITATION,
        bytes=31066,
    ),
    "report.failed": rp.ReportFailed(
        job_id=_JOB, kind="csv_export", revision=1, reason="The report could not be made."
    ),
}
