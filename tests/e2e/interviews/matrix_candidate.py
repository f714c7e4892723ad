"""The candidate's routes in the authorization matrix.

The candidate's routes take no JWT: the link token (header `X-Invitation-Token`) is the only
credential. The matrix calls every route with each actor's bearer token and no link token, so
every cell is 404: an account (HR of the invitation's own company, an admin) never reaches a
candidate route without the link. The paths use a real question of a real invitation, so the
404 is the missing token's, not an unknown question's.

Imported by the matrix module after its ROUTES (it needs the matrix's Route and _all).
"""

from __future__ import annotations

import uuid

from tests.e2e.interviews.media_fixtures import CONSENT, make_interview
from tests.e2e.test_authorization_matrix import Ctx, Route, _all


# ---- matrix rows ---------------------------------------------------------------------------
def _interview(ctx: Ctx) -> dict[str, str]:
    """One interview for every candidate cell of the session (kept on an actor's extras)."""
    cache = ctx.of("admin").extra
    if "candidate_matrix_question" not in cache:
        interview = make_interview(ctx.api)
        cache["candidate_matrix_question"] = interview.questions["video"]
        cache["candidate_matrix_upload"] = str(uuid.uuid4())
    return cache


def _q(ctx: Ctx) -> str:
    return f"v1/candidate/interview/questions/{_interview(ctx)['candidate_matrix_question']}"


def _upload(ctx: Ctx) -> str:
    return f"{_q(ctx)}/uploads/{_interview(ctx)['candidate_matrix_upload']}"


_NO_TOKEN = _all(404)

CANDIDATE_ROUTES: list[Route] = [
    Route("candidate-interview", "GET", lambda c: "v1/candidate/interview", None, _NO_TOKEN),
    Route(
        "candidate-start",
        "POST",
        lambda c: "v1/candidate/interview/start",
        lambda c: CONSENT,
        _NO_TOKEN,
    ),
    Route(
        "candidate-heartbeat",
        "POST",
        lambda c: "v1/candidate/interview/heartbeat",
        None,
        _NO_TOKEN,
    ),
    Route(
        "candidate-complete",
        "POST",
        lambda c: "v1/candidate/interview/complete",
        lambda c: {"reason": "early_finish"},
        _NO_TOKEN,
    ),
    Route(
        "candidate-upload",
        "POST",
        lambda c: f"{_q(c)}/uploads",
        lambda c: {"content_type": "video/webm", "size_bytes": 1000},
        _NO_TOKEN,
    ),
    Route(
        "candidate-multipart",
        "POST",
        lambda c: f"{_q(c)}/uploads/multipart",
        lambda c: {"content_type": "video/webm", "size_bytes": 1000},
        _NO_TOKEN,
    ),
    Route(
        "candidate-parts",
        "POST",
        lambda c: f"{_upload(c)}/parts",
        lambda c: {"part_numbers": [1]},
        _NO_TOKEN,
    ),
    Route(
        "candidate-upload-complete",
        "POST",
        lambda c: f"{_upload(c)}/complete",
        lambda c: {"parts": [{"part_number": 1, "etag": "etag"}]},
        _NO_TOKEN,
    ),
    Route("candidate-upload-abort", "DELETE", _upload, None, _NO_TOKEN),
    Route(
        "candidate-answer",
        "POST",
        lambda c: f"{_q(c)}/answer",
        lambda c: {"text": "An answer without a link."},
        _NO_TOKEN,
    ),
]
