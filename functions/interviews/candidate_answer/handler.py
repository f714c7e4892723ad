"""POST /v1/candidate/interview/questions/{question_id}/answer: an upload, text or options."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header

from shared.http.app import LINK_TOKEN, create_app, lambda_handler_for
from shared.interviews import candidate_answers
from shared.interviews.candidate_models import AnswerRequest, CandidateAnswer
from shared.interviews.deps import default_deps
from shared.observability import logger

app = create_app("Candidate: answer")
deps = default_deps()


@app.post(
    "/v1/candidate/interview/questions/{question_id}/answer",
    status_code=201,
    response_model=CandidateAnswer,
    tags=["candidate"],
    openapi_extra=LINK_TOKEN,
)
def submit_answer(
    question_id: uuid.UUID, body: AnswerRequest, x_invitation_token: Annotated[str, Header()] = ""
) -> CandidateAnswer:
    """A new attempt (a retake replaces the current one while retakes are left)."""
    cid = str(logger.get_correlation_id())
    return candidate_answers.submit_answer(deps, x_invitation_token, question_id, body, cid)


handler = lambda_handler_for(app)
