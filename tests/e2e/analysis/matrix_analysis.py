"""Authorization matrix rows for the analysis routes: HR of the invitation's company only
(another company's invitation is 404; candidates and admins 403; no token 401)."""

from __future__ import annotations

from tests.e2e.analysis.analysis_fixtures import stored_analysis
from tests.e2e.test_authorization_matrix import Ctx, Route, _all


def _completed_of_a(ctx: Ctx) -> str:
    return f"v1/invitations/{stored_analysis(ctx.of('hr_a').company_id)}/analysis"


def _failed_of_a(ctx: Ctx) -> str:
    invitation = stored_analysis(ctx.of("hr_a").company_id, status="failed")
    return f"v1/invitations/{invitation}/analysis/retry"


ANALYSIS_ROUTES: list[Route] = [
    Route(
        "analysis-read",
        "GET",
        _completed_of_a,
        None,
        _all(403, anonymous=401, hr_a=200, hr_b=404),
    ),
    Route(
        "analysis-retry-failed",
        "POST",
        _failed_of_a,
        None,
        _all(403, anonymous=401, hr_a=202, hr_b=404),
    ),
]
