"""Authorization matrix rows for the media routes: HR of the invitation's company only
(another company's invitation is 404; candidates and admins 403; no token 401)."""

from __future__ import annotations

import psycopg

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests.e2e.test_authorization_matrix import Ctx, Route, _all
from tests.integration.media import rows


def _invitation_of_a(ctx: Ctx) -> str:
    """A fresh invitation of company A (made in SQL: the media routes only read it)."""
    hr = ctx.of("hr_a")
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        _, _, invitation = rows.invitation(conn, hr.company_id, hr.user_id)  # type: ignore[arg-type]
    return f"v1/invitations/{invitation}/media"


MEDIA_ROUTES: list[Route] = [
    Route(
        "media-read",
        "GET",
        _invitation_of_a,
        None,
        _all(403, anonymous=401, hr_a=200, hr_b=404),
    ),
    Route(
        "media-delete",
        "DELETE",
        _invitation_of_a,
        None,
        _all(403, anonymous=401, hr_a=204, hr_b=404),
    ),
]
