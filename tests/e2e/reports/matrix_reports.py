"""Authorization matrix rows for the reports routes: HR of the company only (another company's
report is 404; candidates and admins 403; no token 401)."""

from __future__ import annotations

import uuid

from tests.e2e.analysis.analysis_fixtures import stage_db
from tests.e2e.test_authorization_matrix import Ctx, Route, _all


def _pdf_job_of(company_id: str) -> uuid.UUID:
    """A ready PDF job of a new invitation id of the company (the row is all the route reads)."""
    invitation = uuid.uuid4()
    with stage_db() as conn:
        conn.execute(
            "INSERT INTO reports.jobs (company_id, kind, invitation_id, status, object_key, bytes,"
            " started_at, finished_at) VALUES (%s, 'candidate_pdf', %s, 'ready', %s, 1, now(),"
            " now())",
            (company_id, invitation, f"reports/{company_id}/candidates/{invitation}/r1.pdf"),
        )
    return invitation


def _export_job_of(company_id: str) -> uuid.UUID:
    job = uuid.uuid4()
    with stage_db() as conn:
        conn.execute(
            "INSERT INTO reports.jobs (id, company_id, kind, status) VALUES (%s, %s,"
            " 'csv_export', 'queued')",
            (job, company_id),
        )
    return job


def _report_of_a(ctx: Ctx) -> str:
    return f"v1/invitations/{_pdf_job_of(str(ctx.of('hr_a').company_id))}/report"


def _export_of_a(ctx: Ctx) -> str:
    return f"v1/reports/exports/{_export_job_of(str(ctx.of('hr_a').company_id))}"


REPORT_ROUTES: list[Route] = [
    Route("report-read", "GET", _report_of_a, None, _all(403, anonymous=401, hr_a=200, hr_b=404)),
    Route(
        "report-regenerate",
        "POST",
        _report_of_a,
        None,
        _all(403, anonymous=401, hr_a=202, hr_b=404),
    ),
    Route(
        "report-export-create",
        "POST",
        lambda c: "v1/reports/exports",
        lambda c: {"excel": True},
        _all(403, anonymous=401, hr_a=202, hr_b=202),
    ),
    Route(
        "report-export-read",
        "GET",
        _export_of_a,
        None,
        _all(403, anonymous=401, hr_a=200, hr_b=404),
    ),
    Route(
        "report-funnel",
        "GET",
        lambda c: "v1/reports/funnel",
        None,
        _all(403, anonymous=401, hr_a=200, hr_b=200),
    ),
]
