"""Authorization matrix rows for the skills taxonomy (admins manage it; anyone signed in lists
it), a candidate's own skills (candidates only), a template's required skills (HR of the
template's company; admins read every company's and build none) and a candidate account's
invitations (candidates only).

Every fixture a cell changes is fresh, made through the API by the admin (taxonomy) or HR of A
(templates) whoever the caller is, so a refusal is never a 404 of missing data or a 422."""

from __future__ import annotations

import uuid
from typing import Any

from tests.e2e.interviews.hr_support import make_template, ok
from tests.e2e.test_authorization_matrix import Ctx, Route, _all


def unique_name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:12]}"


def _admin(ctx: Ctx) -> dict[str, str]:
    return ctx.of("admin").headers()


def fresh_category(ctx: Ctx) -> str:
    body = {"name": unique_name("Category")}
    return str(ok(ctx.api.post("v1/skill-categories", json=body, headers=_admin(ctx)), 201)["id"])


def fresh_skill(ctx: Ctx) -> str:
    body = {"category_id": fresh_category(ctx), "name": unique_name("Skill")}
    return str(ok(ctx.api.post("v1/skills", json=body, headers=_admin(ctx)), 201)["id"])


def _new_skill_body(ctx: Ctx) -> dict[str, Any]:
    return {"category_id": fresh_category(ctx), "name": unique_name("Skill")}


def _template_of_a(ctx: Ctx) -> str:
    return make_template(ctx.api, ctx.of("hr_a"))


SKILL_ROUTES: list[Route] = [
    Route(
        "skill-categories-list",
        "GET",
        lambda c: "v1/skill-categories",
        None,
        _all(200, anonymous=401),
    ),
    Route("skills-list", "GET", lambda c: "v1/skills", None, _all(200, anonymous=401)),
    Route(
        "skill-category-create",
        "POST",
        lambda c: "v1/skill-categories",
        lambda c: {"name": unique_name("Category")},
        _all(403, anonymous=401, admin=201),
    ),
    Route(
        "skill-category-rename",
        "PATCH",
        lambda c: f"v1/skill-categories/{fresh_category(c)}",
        lambda c: {"name": unique_name("Renamed")},
        _all(403, anonymous=401, admin=200),
    ),
    Route(
        "skill-category-retire",
        "POST",
        lambda c: f"v1/skill-categories/{fresh_category(c)}/retire",
        None,
        _all(403, anonymous=401, admin=200),
    ),
    Route(
        "skill-create",
        "POST",
        lambda c: "v1/skills",
        _new_skill_body,
        _all(403, anonymous=401, admin=201),
    ),
    Route(
        "skill-rename",
        "PATCH",
        lambda c: f"v1/skills/{fresh_skill(c)}",
        lambda c: {"name": unique_name("Renamed")},
        _all(403, anonymous=401, admin=200),
    ),
    Route(
        "skill-retire",
        "POST",
        lambda c: f"v1/skills/{fresh_skill(c)}/retire",
        None,
        _all(403, anonymous=401, admin=200),
    ),
    Route(
        "my-skills-list",
        "GET",
        lambda c: "v1/my-skills",
        None,
        _all(403, anonymous=401, candidate=200),
    ),
    Route(
        "my-skill-set",
        "PUT",
        lambda c: f"v1/my-skills/{fresh_skill(c)}",
        lambda c: {"level": 3, "years": 2.5},
        _all(403, anonymous=401, candidate=200),
    ),
    Route(
        "my-skill-remove",
        "DELETE",
        lambda c: f"v1/my-skills/{fresh_skill(c)}",
        None,
        _all(403, anonymous=401, candidate=204),
    ),
    Route(
        "template-skills-read",
        "GET",
        lambda c: f"v1/templates/{_template_of_a(c)}/skills",
        None,
        _all(403, anonymous=401, hr_a=200, hr_b=404, admin=200),
    ),
    Route(
        "template-skills-set",
        "PUT",
        lambda c: f"v1/templates/{_template_of_a(c)}/skills",
        lambda c: {"skill_ids": [fresh_skill(c)]},
        _all(403, anonymous=401, hr_a=200, hr_b=404),
    ),
    Route(
        "candidate-account-invitations",
        "GET",
        lambda c: "v1/candidate/invitations",
        None,
        _all(403, anonymous=401, candidate=200),
    ),
]
