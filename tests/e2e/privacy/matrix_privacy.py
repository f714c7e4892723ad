"""Authorization matrix rows for the data-rights routes. By link token (no JWT): without the
token every cell is 404, like every candidate route. With an account: the export and erasure of
a candidate's own data are the candidate role's only; the retention period is HR's (any member
reads, the owner sets: both HR actors own their company); the audit log is the admins'."""

from __future__ import annotations

from tests.e2e.test_authorization_matrix import Route, _all

PRIVACY_ROUTES: list[Route] = [
    Route("candidate-data-export", "GET", lambda c: "v1/candidate/data", None, _all(404)),
    Route("candidate-data-erasure", "POST", lambda c: "v1/candidate/data/erasure", None, _all(404)),
    Route(
        "account-data-export",
        "GET",
        lambda c: "v1/privacy/data",
        None,
        _all(403, anonymous=401, candidate=200),
    ),
    Route(
        "account-data-erasure",
        "POST",
        lambda c: "v1/privacy/data/erasure",
        None,
        _all(403, anonymous=401, candidate=200),
    ),
    Route(
        "retention-read",
        "GET",
        lambda c: "v1/privacy/retention",
        None,
        _all(403, anonymous=401, hr_a=200, hr_b=200),
    ),
    Route(
        "retention-set",
        "PUT",
        lambda c: "v1/privacy/retention",
        lambda c: {"retention_days": 365},
        _all(403, anonymous=401, hr_a=200, hr_b=200),
    ),
    Route(
        "audit-log-read",
        "GET",
        lambda c: "v1/privacy/audit-log",
        None,
        _all(403, anonymous=401, admin=200),
    ),
]
