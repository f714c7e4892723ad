"""GET /v1/candidate/interview: the candidate's interview by link token (no account)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from shared.http.app import LINK_TOKEN, create_app, lambda_handler_for
from shared.interviews import candidate_interview
from shared.interviews.candidate_models import CandidateInterview
from shared.interviews.deps import default_deps
from shared.observability import logger

app = create_app("Candidate: interview")
deps = default_deps()


@app.get(
    "/v1/candidate/interview",
    response_model=CandidateInterview,
    tags=["candidate"],
    openapi_extra=LINK_TOKEN,
)
def get_interview(x_invitation_token: Annotated[str, Header()] = "") -> CandidateInterview:
    """Questions in order (no correct options, no rubric), settings and progress so far."""
    cid = str(logger.get_correlation_id())
    return candidate_interview.get_interview(deps, x_invitation_token, cid)


handler = lambda_handler_for(app)
