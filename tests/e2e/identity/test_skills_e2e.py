"""The skills taxonomy through API Gateway: admins manage it (unique names, limits, retire),
candidates record their own skills, HR attaches required skills to a template (only from the
taxonomy)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.identity_actors import (
    PROBLEM,
    Actor,
    actors_fixture,  # noqa: F401 - provides the `actors` fixture
)
from tests.e2e.interviews.hr_support import make_template, ok, publish


def unique_name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:12]}"


def _category(api: httpx.Client, admin: Actor, name: str | None = None) -> dict[str, Any]:
    body = {"name": name or unique_name("Category"), "description": "For the e2e tests."}
    return ok(api.post("v1/skill-categories", json=body, headers=admin.headers()), 201)


def _skill(
    api: httpx.Client, admin: Actor, category_id: str, name: str | None = None
) -> dict[str, Any]:
    body = {"category_id": category_id, "name": name or unique_name("Skill")}
    return ok(api.post("v1/skills", json=body, headers=admin.headers()), 201)


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def _all_skills(api: httpx.Client, actor: Actor, **params: Any) -> list[dict[str, Any]]:
    """Every page of GET /v1/skills (following the cursor)."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(1000):
        query = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = ok(api.get("v1/skills", params=query, headers=actor.headers()), 200)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    pytest.fail("the skills list never ended")


def test_admin_creates_renames_lists_and_retires_skills(
    api: httpx.Client, actors: dict[str, Actor]
) -> None:
    admin, candidate = actors["admin"], actors["candidate"]
    # Given a category with a skill, made by an admin
    category = _category(api, admin)
    skill = _skill(api, admin, category["id"])
    assert skill["category_name"] == category["name"]
    assert skill["retired"] is False

    # When the admin renames both
    new_category = unique_name("Renamed category")
    renamed_category = ok(
        api.patch(
            f"v1/skill-categories/{category['id']}",
            json={"name": new_category},
            headers=admin.headers(),
        ),
        200,
    )
    new_name = unique_name("Renamed skill")
    renamed = ok(
        api.patch(f"v1/skills/{skill['id']}", json={"name": new_name}, headers=admin.headers()),
        200,
    )

    # Then everyone signed in lists the skill under its new names, page by page
    assert renamed_category["name"] == new_category
    assert renamed["name"] == new_name
    assert renamed["category_name"] == new_category
    listed = _all_skills(api, candidate, category_id=category["id"])
    assert [s["name"] for s in listed] == [new_name]

    # When the admin retires it (twice: idempotent)
    for _ in range(2):
        retired = ok(api.post(f"v1/skills/{skill['id']}/retire", headers=admin.headers()), 200)
        assert retired["retired"] is True

    # Then it is no longer offered, but an admin still finds it on request
    assert _all_skills(api, candidate, category_id=category["id"]) == []
    with_retired = _all_skills(api, admin, category_id=category["id"], include_retired=True)
    assert [s["id"] for s in with_retired] == [skill["id"]]
    # and a retired skill cannot be renamed
    _problem(
        api.patch(
            f"v1/skills/{skill['id']}",
            json={"name": unique_name("Again")},
            headers=admin.headers(),
        ),
        409,
    )


def test_duplicate_names_are_409_whatever_their_case(
    api: httpx.Client, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    # Given a category and a skill
    category = _category(api, admin)
    skill = _skill(api, admin, category["id"])
    other = _skill(api, admin, category["id"])

    # When an admin creates a category or a skill with a taken name (another case), or renames
    # a skill to a taken name / Then each is a 409 problem
    _problem(
        api.post(
            "v1/skill-categories",
            json={"name": category["name"].upper()},
            headers=admin.headers(),
        ),
        409,
    )
    _problem(
        api.post(
            "v1/skills",
            json={"category_id": category["id"], "name": skill["name"].lower()},
            headers=admin.headers(),
        ),
        409,
    )
    _problem(
        api.patch(
            f"v1/skills/{other['id']}", json={"name": skill["name"]}, headers=admin.headers()
        ),
        409,
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("v1/skill-categories", {"name": ""}),
        ("v1/skill-categories", {"name": "x" * 101}),
        ("v1/skill-categories", {"name": "Fine", "description": "d" * 501}),
        ("v1/skill-categories", {"name": "Fine", "colour": "red"}),
        ("v1/skills", {"name": "No category"}),
        ("v1/skills", {"category_id": "not-a-uuid", "name": "Bad"}),
        ("v1/skills", {"category_id": str(uuid.uuid4()), "name": "Unknown category"}),
    ],
)
def test_bad_taxonomy_input_is_a_422_problem(
    api: httpx.Client, actors: dict[str, Actor], path: str, body: dict[str, Any]
) -> None:
    # Given an admin / When they send a body outside the limits / Then a 422 problem, never 500
    _problem(api.post(path, json=body, headers=actors["admin"].headers()), 422)


def test_bad_list_queries_are_422(api: httpx.Client, actors: dict[str, Actor]) -> None:
    headers = actors["candidate"].headers()
    # Given a signed-in caller / When the cursor or the limit is junk / Then 422
    _problem(api.get("v1/skills", params={"cursor": "!!not-a-cursor!!"}, headers=headers), 422)
    _problem(api.get("v1/skills", params={"limit": 0}, headers=headers), 422)
    _problem(api.get("v1/skill-categories", params={"limit": 101}, headers=headers), 422)


def test_a_candidate_records_skills_and_cannot_choose_a_retired_one(
    api: httpx.Client, actors: dict[str, Actor]
) -> None:
    admin, candidate = actors["admin"], actors["candidate"]
    # Given two skills, one of them retired
    category = _category(api, admin)
    python, cobol = _skill(api, admin, category["id"]), _skill(api, admin, category["id"])
    ok(api.post(f"v1/skills/{cobol['id']}/retire", headers=admin.headers()), 200)

    # When the candidate records the first (then re-assesses it)
    ok(
        api.put(
            f"v1/my-skills/{python['id']}",
            json={"level": 2, "years": 1},
            headers=candidate.headers(),
        ),
        200,
    )
    mine = ok(
        api.put(
            f"v1/my-skills/{python['id']}",
            json={"level": 4, "years": 3.5},
            headers=candidate.headers(),
        ),
        200,
    )

    # Then the profile holds it once, with the level's label
    (held,) = [s for s in mine["items"] if s["skill_id"] == python["id"]]
    assert (held["level"], held["level_label"], held["years"]) == (4, "advanced", 3.5)
    # and a retired skill, a level or years out of range, or an unknown skill are refused
    _problem(
        api.put(
            f"v1/my-skills/{cobol['id']}",
            json={"level": 3, "years": 1},
            headers=candidate.headers(),
        ),
        409,
    )
    for bad in ({"level": 6, "years": 1}, {"level": 0, "years": 1}, {"level": 3, "years": -1},
                {"level": 3, "years": 61}, {"level": 3}):  # fmt: skip
        _problem(
            api.put(f"v1/my-skills/{python['id']}", json=bad, headers=candidate.headers()), 422
        )
    _problem(
        api.put(
            f"v1/my-skills/{uuid.uuid4()}",
            json={"level": 3, "years": 1},
            headers=candidate.headers(),
        ),
        404,
    )

    # When they remove it / Then it is gone from the profile
    ok(api.delete(f"v1/my-skills/{python['id']}", headers=candidate.headers()), 204)
    left = ok(api.get("v1/my-skills", headers=candidate.headers()), 200)
    assert python["id"] not in {s["skill_id"] for s in left["items"]}


def test_hr_attaches_only_taxonomy_skills_to_a_template(
    api: httpx.Client, actors: dict[str, Actor]
) -> None:
    admin, hr = actors["admin"], actors["hr_a"]
    # Given two live skills, a retired one and an HR template
    category = _category(api, admin)
    sql, go = _skill(api, admin, category["id"]), _skill(api, admin, category["id"])
    gone = _skill(api, admin, category["id"])
    ok(api.post(f"v1/skills/{gone['id']}/retire", headers=admin.headers()), 200)
    template_id = make_template(api, hr)
    path = f"v1/templates/{template_id}/skills"

    # When HR attaches the two live ones
    attached = ok(
        api.put(path, json={"skill_ids": [sql["id"], go["id"]]}, headers=hr.headers()), 200
    )

    # Then the template requires exactly them, listed by name
    assert [s["name"] for s in attached["skills"]] == sorted([sql["name"], go["name"]])
    assert ok(api.get(path, headers=hr.headers()), 200) == attached
    # and an unknown skill, a retired one, a repeated one or free text are refused with 422
    for bad in (
        {"skill_ids": [str(uuid.uuid4())]},
        {"skill_ids": [gone["id"]]},
        {"skill_ids": [sql["id"], sql["id"]]},
        {"skill_ids": ["Python"]},
        {"skill_ids": [str(uuid.uuid4()) for _ in range(31)]},
    ):
        _problem(api.put(path, json=bad, headers=hr.headers()), 422)
    assert ok(api.get(path, headers=hr.headers()), 200) == attached

    # When the template is duplicated / Then the copy requires the same skills
    copy = ok(api.post(f"v1/templates/{template_id}/duplicate", headers=hr.headers()), 201)
    copied = ok(api.get(f"v1/templates/{copy['id']}/skills", headers=hr.headers()), 200)
    assert copied["skills"] == attached["skills"]

    # When the template is archived / Then its required skills are read-only (409)
    publish(api, hr, template_id)
    ok(api.post(f"v1/templates/{template_id}/archive", headers=hr.headers()), 200)
    _problem(api.put(path, json={"skill_ids": []}, headers=hr.headers()), 409)
