"""PUT /v1/invitations/{invitation_id}/answers/{answer_id}/review: the caller's rating (1-5) and
comment on one answer (an idempotent upsert, one per reviewer)."""

from __future__ import annotations

import uuid

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction
from shared.interviews import review
from shared.interviews.models import ReviewOut, ReviewRequest

app = create_app("Review an answer")


@app.put(
    "/v1/invitations/{invitation_id}/answers/{answer_id}/review",
    response_model=ReviewOut,
    tags=["review"],
)
def review_answer(
    invitation_id: uuid.UUID, answer_id: uuid.UUID, body: ReviewRequest, request: Request
) -> ReviewOut:
    with caller_transaction(request, HR) as (conn, caller):
        return review.review_answer(conn, caller, invitation_id, answer_id, body)


handler = lambda_handler_for(app)
