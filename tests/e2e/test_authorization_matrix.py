"""The authorization matrix: every route, every kind of caller, the exact status of each cell.

Later routes add rows to ROUTES; nothing else changes. A path or body that needs its own data
(a fresh user to suspend, a member to remove) gets it from a factory, per cell.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest

from tests.e2e.identity_actors import (
    PROBLEM,
    Actor,
    actors_fixture,  # noqa: F401 - provides the `actors` fixture
    fresh_email,
    login,
    make_user,
)

ACTORS = ("anonymous", "candidate", "hr_a", "hr_b", "admin")
# An emailed link's token in the right shape (a link id and a signature) that we never signed.
FORGED_LINK = "A" * 22 + "." + "B" * 43


@dataclass
class Ctx:
    api: httpx.Client
    actors: dict[str, Actor]
    caller: str

    def of(self, name: str) -> Actor:
        return self.actors[name]

    def fresh_hr(self) -> Actor:
        return make_user(self.api, "hr-extra", "hr")

    def member_of_a(self) -> str:
        """A fresh HR user added to company A (by the admin), for removal cells."""
        hr = self.fresh_hr()
        response = self.api.post(
            f"v1/companies/{self.of('hr_a').company_id}/members",
            json={"user_id": hr.user_id},
            headers=self.of("admin").headers(),
        )
        assert response.status_code == 201, response.text
        return hr.user_id

    def victim(self) -> str:
        """A fresh candidate for the cells that change a user (others get a random id)."""
        if self.caller != "admin":
            return str(uuid.uuid4())
        return make_user(self.api, "victim", "candidate").user_id


Text = Callable[[Ctx], str]
Body = Callable[[Ctx], dict[str, Any]] | None


@dataclass(frozen=True)
class Route:
    id: str
    method: str
    path: Text
    body: Body
    expect: dict[str, int]
    # A route that ends the caller's session (logout denies the access token it is called with)
    # runs on a second session of the same user, so the actor's own token stays good for later rows.
    own_session: bool = False


def _all(status: int, **overrides: int) -> dict[str, int]:
    return {actor: overrides.get(actor, status) for actor in ACTORS}


def _a(ctx: Ctx) -> str:
    return ctx.of("hr_a").company_id


ROUTES: list[Route] = [
    Route("jwks", "GET", lambda c: ".well-known/jwks.json", None, _all(200)),
    Route(
        "register",
        "POST",
        lambda c: "v1/auth/register",
        lambda c: {"email": fresh_email("reg"), "password": "correct horse 42 battery"},
        _all(202),
    ),
    Route(
        "login",
        "POST",
        lambda c: "v1/auth/login",
        lambda c: {"email": c.of("candidate").email, "password": "correct horse 42 battery"},
        _all(200),
    ),
    Route(
        "refresh-garbage",
        "POST",
        lambda c: "v1/auth/refresh",
        lambda c: {"refresh_token": "x" * 43},
        _all(401),
    ),
    Route(
        "logout",
        "POST",
        lambda c: "v1/auth/logout",
        lambda c: {"refresh_token": "y" * 43},
        _all(204, anonymous=401),
        own_session=True,
    ),
    # Emailed account links (issue 14): a well-formed token that is not ours is 400 for anyone;
    # asking for a reset is 202 for anyone; an email change needs a session and the password.
    Route(
        "verify-email-forged",
        "POST",
        lambda c: "v1/auth/verify-email",
        lambda c: {"token": FORGED_LINK},
        _all(400),
    ),
    Route(
        "password-reset",
        "POST",
        lambda c: "v1/auth/password-reset",
        lambda c: {"email": fresh_email("reset")},
        _all(202),
    ),
    Route(
        "password-reset-confirm-forged",
        "POST",
        lambda c: "v1/auth/password-reset/confirm",
        lambda c: {"token": FORGED_LINK, "password": "a brand new pass 99"},
        _all(400),
    ),
    Route(
        "email-change-wrong-password",
        "POST",
        lambda c: "v1/me/email",
        lambda c: {"email": fresh_email("moved"), "password": "wrong pass 123"},
        _all(403, anonymous=401),
    ),
    Route(
        "email-change-confirm-forged",
        "POST",
        lambda c: "v1/auth/confirm-email",
        lambda c: {"token": FORGED_LINK},
        _all(400),
    ),
    Route("me", "GET", lambda c: "v1/me", None, _all(200, anonymous=401)),
    Route(
        "select-role-again",
        "POST",
        lambda c: "v1/me/role",
        lambda c: {"role": "hr"},
        _all(409, anonymous=401),
    ),
    Route(
        "profile",
        "PATCH",
        lambda c: "v1/me/profile",
        lambda c: {"first_name": "Ada", "timezone": "Europe/Berlin"},
        _all(200, anonymous=401),
    ),
    Route(
        "avatar-upload",
        "POST",
        lambda c: "v1/me/avatar",
        lambda c: {"content_type": "image/png"},
        _all(200, anonymous=401),
    ),
    Route(
        "avatar-confirm-foreign-key",
        "POST",
        lambda c: "v1/me/avatar/confirm",
        lambda c: {"key": f"avatars/{uuid.uuid4()}/x.png"},
        _all(404, anonymous=401),
    ),
    Route(
        "admin-list-users",
        "GET",
        lambda c: "v1/admin/users?limit=5",
        None,
        _all(403, anonymous=401, admin=200),
    ),
    Route(
        "admin-change-role",
        "POST",
        lambda c: f"v1/admin/users/{c.victim()}/role",
        lambda c: {"role": "hr"},
        _all(403, anonymous=401, admin=200),
    ),
    Route(
        "admin-suspend",
        "POST",
        lambda c: f"v1/admin/users/{c.victim()}/suspend",
        None,
        _all(403, anonymous=401, admin=200),
    ),
    Route(
        "admin-activate",
        "POST",
        lambda c: f"v1/admin/users/{c.victim()}/activate",
        None,
        _all(403, anonymous=401, admin=200),
    ),
    Route(
        "admin-delete",
        "DELETE",
        lambda c: f"v1/admin/users/{c.victim()}",
        None,
        _all(403, anonymous=401, admin=204),
    ),
    Route(
        "company-create-second",
        "POST",
        lambda c: "v1/companies",
        lambda c: {"name": "Second Co"},
        _all(403, anonymous=401, hr_a=409, hr_b=409),
    ),
    Route(
        "company-get-a",
        "GET",
        lambda c: f"v1/companies/{_a(c)}",
        None,
        _all(200, anonymous=401, candidate=403, hr_b=404),
    ),
    Route(
        "company-get-unknown",
        "GET",
        lambda c: f"v1/companies/{uuid.uuid4()}",
        None,
        _all(404, anonymous=401, candidate=403),
    ),
    Route(
        "members-list-a",
        "GET",
        lambda c: f"v1/companies/{_a(c)}/members",
        None,
        _all(200, anonymous=401, candidate=403, hr_b=404),
    ),
    Route(
        "members-add-a",
        "POST",
        lambda c: f"v1/companies/{_a(c)}/members",
        lambda c: {
            "user_id": c.fresh_hr().user_id if c.caller in {"hr_a", "admin"} else str(uuid.uuid4())
        },
        _all(201, anonymous=401, candidate=403, hr_b=404),
    ),
    Route(
        "members-remove-a",
        "DELETE",
        lambda c: (
            f"v1/companies/{_a(c)}/members/"
            + (c.member_of_a() if c.caller in {"hr_a", "admin"} else str(uuid.uuid4()))
        ),
        None,
        _all(204, anonymous=401, candidate=403, hr_b=404),
    ),
    Route(
        "members-remove-owner-a",
        "DELETE",
        lambda c: f"v1/companies/{_a(c)}/members/{c.of('hr_a').user_id}",
        None,
        _all(409, anonymous=401, candidate=403, hr_b=404),
    ),
    Route("me-identities", "GET", lambda c: "v1/me/identities", None, _all(200, anonymous=401)),
    Route(
        "me-identities-link-garbage",
        "POST",
        lambda c: "v1/me/identities",
        lambda c: {"token": "not-a-token-of-any-issuer"},
        _all(422, anonymous=401),
    ),
]

from tests.e2e.interviews.matrix_candidate import CANDIDATE_ROUTES  # noqa: E402

ROUTES += CANDIDATE_ROUTES

from tests.e2e.interviews.matrix_hr import HR_ROUTES  # noqa: E402

ROUTES += HR_ROUTES

from tests.e2e.analysis.matrix_analysis import ANALYSIS_ROUTES  # noqa: E402

ROUTES += ANALYSIS_ROUTES

from tests.e2e.media.matrix_media import MEDIA_ROUTES  # noqa: E402

ROUTES += MEDIA_ROUTES

from tests.e2e.notifications.matrix_notifications import NOTIFICATION_ROUTES  # noqa: E402

ROUTES += NOTIFICATION_ROUTES

from tests.e2e.reports.matrix_reports import REPORT_ROUTES  # noqa: E402

ROUTES += REPORT_ROUTES
from tests.e2e.billing.matrix_billing import BILLING_ROUTES  # noqa: E402

ROUTES += BILLING_ROUTES
from tests.e2e.identity.matrix_skills import SKILL_ROUTES  # noqa: E402

ROUTES += SKILL_ROUTES

from tests.e2e.privacy.matrix_privacy import PRIVACY_ROUTES  # noqa: E402

ROUTES += PRIVACY_ROUTES

# Last: deactivating company A makes its HR read-only (every later change of A's would be 403),
# so it comes after every other row, and the admin's reactivation restores it at once.
ROUTES += [
    Route(
        "company-deactivate-a",
        "POST",
        lambda c: f"v1/companies/{_a(c)}/deactivate",
        None,
        _all(200, anonymous=401, candidate=403, hr_b=404),
    ),
    Route(
        "company-activate-a",
        "POST",
        lambda c: f"v1/companies/{_a(c)}/activate",
        None,
        _all(403, anonymous=401, admin=200),
    ),
]

CELLS = [(route, actor) for route in ROUTES for actor in ACTORS]


def call(api: httpx.Client, route: Route, ctx: Ctx, caller: Actor) -> httpx.Response:
    body = route.body(ctx) if route.body else None
    if route.own_session and caller.access_token:
        caller = login(api, replace(caller))
    return api.request(route.method, route.path(ctx), json=body, headers=caller.headers())


@pytest.mark.parametrize(("route", "actor"), CELLS, ids=[f"{r.id}-{a}" for r, a in CELLS])
def test_authorization_matrix_cell(
    api: httpx.Client,
    actors: dict[str, Actor],
    route: Route,
    actor: str,
) -> None:
    # Given the caller / When they call the route
    response = call(api, route, Ctx(api, actors, actor), actors[actor])

    # Then the status is exactly the cell's, and every refusal is problem+json
    assert response.status_code == route.expect[actor], response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["status"] == response.status_code


def _protected_routes() -> list[Route]:
    return [r for r in ROUTES if r.expect["anonymous"] == 401 and r.id != "refresh-garbage"]


@pytest.mark.parametrize("state", ["suspended", "deleted"])
def test_suspended_or_deleted_users_are_refused_on_every_protected_route(
    api: httpx.Client,
    actors: dict[str, Actor],
    state: str,
) -> None:
    # Given an HR user with a valid token, then suspended (or deleted) by an admin
    user = make_user(api, f"{state}-hr", "hr")
    admin = actors["admin"]
    if state == "suspended":
        change = api.post(f"v1/admin/users/{user.user_id}/suspend", headers=admin.headers())
    else:
        change = api.delete(f"v1/admin/users/{user.user_id}", headers=admin.headers())
    assert change.status_code in {200, 204}, change.text
    expected = 403 if state == "suspended" else 401
    ctx = Ctx(api, actors, "other")

    # When they call every protected route / Then every one refuses them
    # (with their own token everywhere: a suspended or deleted user cannot sign in a second session)
    for route in _protected_routes():
        response = call(api, replace(route, own_session=False), ctx, user)
        assert response.status_code == expected, (route.id, response.text)
    # and their refresh token is gone too
    refreshed = api.post("v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert refreshed.status_code == 401
