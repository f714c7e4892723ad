"""Authorization matrix rows for HR's interview routes (added to ROUTES by the matrix).

Cells: anonymous 401, candidate 403, HR of company A 2xx, HR of company B 404 on A's data (its own
lists answer 200 and never show A's rows), admin: reads 200 (admins see every company), writes
403 (admins operate the platform; they do not build interviews or decide on candidates).

Every fixture is company A's, made through the API by HR of A whoever the caller is, so HR of B
meets real data it must not see. Bodies are valid for every caller: a refusal is never a 422.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.e2e.interviews.hr_support import complete_directly, invite, make_template, ok, publish
from tests.e2e.test_authorization_matrix import Ctx, Route, _all

# Read-only fixtures are made once per run (per HR of A); anything a cell changes is fresh.
_shared: dict[tuple[str, str], Any] = {}
# What a body factory made for the path factory of the same cell (bodies are built first).
_handoff: dict[int, Any] = {}


def _hr_a(ctx: Ctx) -> Any:
    return ctx.of("hr_a")


def _once(ctx: Ctx, name: str, make: Any) -> Any:
    key = (_hr_a(ctx).user_id, name)
    if key not in _shared:
        _shared[key] = make()
    return _shared[key]


def active_template(ctx: Ctx) -> str:
    def make() -> str:
        tid = make_template(ctx.api, _hr_a(ctx))
        publish(ctx.api, _hr_a(ctx), tid)
        return tid

    result: str = _once(ctx, "active", make)
    return result


def draft(ctx: Ctx, questions: int = 0) -> str:
    return make_template(ctx.api, _hr_a(ctx), kinds=("text",) * questions)


def pending_invitation(ctx: Ctx) -> str:
    result: str = _once(
        ctx, "pending", lambda: str(invite(ctx.api, _hr_a(ctx), active_template(ctx))["id"])
    )
    return result


def fresh_invitation(ctx: Ctx) -> str:
    return str(invite(ctx.api, _hr_a(ctx), active_template(ctx))["id"])


def completed(ctx: Ctx) -> tuple[str, str]:
    def make() -> tuple[str, str]:
        done = complete_directly(fresh_invitation(ctx))
        return done.invitation_id, done.answer_ids[0]

    result: tuple[str, str] = _once(ctx, "completed", make)
    return result


def question_of_draft(ctx: Ctx) -> tuple[str, str]:
    tid = draft(ctx, questions=1)
    template = ok(ctx.api.get(f"v1/templates/{tid}", headers=_hr_a(ctx).headers()), 200)
    return tid, str(template["questions"][0]["id"])


def _reorder_body(ctx: Ctx) -> dict[str, Any]:
    tid = draft(ctx, questions=2)
    template = ok(ctx.api.get(f"v1/templates/{tid}", headers=_hr_a(ctx).headers()), 200)
    _handoff[id(ctx)] = tid
    return {"question_ids": [q["id"] for q in reversed(template["questions"])]}


def _reorder_path(ctx: Ctx) -> str:
    return f"v1/templates/{_handoff.pop(id(ctx))}/questions/order"


def _published(ctx: Ctx) -> str:
    """A fresh active template (archiving is terminal, so HR of A archives its own)."""
    tid = draft(ctx, questions=1)
    publish(ctx.api, _hr_a(ctx), tid)
    return tid


def _fresh_email() -> str:
    return f"matrix-{uuid.uuid4().hex[:10]}@example.com"


_READ = {"anonymous": 401, "candidate": 403, "hr_b": 404}
_WRITE = {"anonymous": 401, "candidate": 403, "hr_b": 404, "admin": 403}
_QUESTION = {"type": "text", "text": "What did you learn last year?"}

HR_ROUTES: list[Route] = [
    Route(
        "templates-create",
        "POST",
        lambda c: "v1/templates",
        lambda c: {"title": "Matrix role"},
        _all(201, anonymous=401, candidate=403, admin=403),
    ),
    Route(
        "templates-list",
        "GET",
        lambda c: "v1/templates?limit=5",
        None,
        _all(200, anonymous=401, candidate=403),
    ),
    Route(
        "template-get-a",
        "GET",
        lambda c: f"v1/templates/{active_template(c)}",
        None,
        _all(200, **_READ),
    ),
    Route(
        "template-patch-a",
        "PATCH",
        lambda c: f"v1/templates/{draft(c)}",
        lambda c: {"version": 1, "title": "Renamed"},
        _all(200, **_WRITE),
    ),
    Route(
        "template-delete-a",
        "DELETE",
        lambda c: f"v1/templates/{draft(c)}",
        None,
        _all(204, **_WRITE),
    ),
    Route(
        "template-publish-a",
        "POST",
        lambda c: f"v1/templates/{draft(c, questions=1)}/publish",
        None,
        _all(200, **_WRITE),
    ),
    Route(
        "template-archive-a",
        "POST",
        lambda c: (
            f"v1/templates/{_published(c) if c.caller == 'hr_a' else active_template(c)}/archive"
        ),
        None,
        _all(200, **_WRITE),
    ),
    Route(
        "template-duplicate-a",
        "POST",
        lambda c: f"v1/templates/{active_template(c)}/duplicate",
        None,
        _all(201, **_WRITE),
    ),
    Route(
        "question-add-a",
        "POST",
        lambda c: f"v1/templates/{draft(c)}/questions",
        lambda c: _QUESTION,
        _all(201, **_WRITE),
    ),
    Route(
        "question-patch-a",
        "PATCH",
        lambda c: "v1/templates/{}/questions/{}".format(*question_of_draft(c)),
        lambda c: {"required": False},
        _all(200, **_WRITE),
    ),
    Route(
        "question-delete-a",
        "DELETE",
        lambda c: "v1/templates/{}/questions/{}".format(*question_of_draft(c)),
        None,
        _all(200, **_WRITE),
    ),
    Route("questions-reorder-a", "PUT", _reorder_path, _reorder_body, _all(200, **_WRITE)),
    Route(
        "invitations-create-a",
        "POST",
        lambda c: "v1/invitations",
        lambda c: {
            "template_id": active_template(c),
            "candidate_name": "Matrix",
            "candidate_email": _fresh_email(),
        },
        _all(201, **_WRITE),
    ),
    Route(
        "invitations-bulk-a",
        "POST",
        lambda c: "v1/invitations/bulk",
        lambda c: {
            "template_id": active_template(c),
            "candidates": [{"candidate_name": "Matrix", "candidate_email": _fresh_email()}],
        },
        _all(200, **_WRITE),
    ),
    Route(
        "invitations-list",
        "GET",
        lambda c: "v1/invitations?limit=5",
        None,
        _all(200, anonymous=401, candidate=403),
    ),
    Route(
        "invitation-get-a",
        "GET",
        lambda c: f"v1/invitations/{pending_invitation(c)}",
        None,
        _all(200, **_READ),
    ),
    Route(
        "invitation-resend-a",
        "POST",
        lambda c: f"v1/invitations/{pending_invitation(c)}/resend",
        None,
        _all(200, **_WRITE),
    ),
    Route(
        "invitation-extend-a",
        "POST",
        lambda c: f"v1/invitations/{pending_invitation(c)}/extend",
        lambda c: {"days": 1},
        _all(200, **_WRITE),
    ),
    Route(
        "invitation-cancel-a",
        "POST",
        lambda c: f"v1/invitations/{fresh_invitation(c)}/cancel",
        None,
        _all(200, **_WRITE),
    ),
    Route(
        "answer-review-a",
        "PUT",
        lambda c: "v1/invitations/{}/answers/{}/review".format(*completed(c)),
        lambda c: {"rating": 4, "comment": "Solid"},
        _all(200, **_WRITE),
    ),
    Route(
        "decision-a",
        "POST",
        lambda c: f"v1/invitations/{completed(c)[0]}/decision",
        lambda c: {"decision": "advance"},
        _all(200, **_WRITE),
    ),
]
