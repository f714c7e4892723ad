"""The candidate's session by link token: start, heartbeat, complete."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from shared.http.app import LINK_TOKEN, create_app, lambda_handler_for
from shared.interviews import candidate_session
from shared.interviews.candidate_models import CompleteRequest, StartRequest, StatusOut
from shared.interviews.deps import default_deps
from shared.observability import logger

app = create_app("Candidate: session")
deps = default_deps()
Token = Annotated[str, Header()]


@app.post(
    "/v1/candidate/interview/start",
    response_model=StatusOut,
    tags=["candidate"],
    openapi_extra=LINK_TOKEN,
)
def start(body: StartRequest, x_invitation_token: Token = "") -> StatusOut:
    """pending -> in_progress, with the candidate's consent: to recording (must be true), and
    separately to AI analysis (false: a human-only review, no AI model reads the answers).
    Starting again answers the same and keeps the consent given first."""
    return candidate_session.start(deps, x_invitation_token, body, str(logger.get_correlation_id()))


@app.post(
    "/v1/candidate/interview/heartbeat",
    response_model=StatusOut,
    tags=["candidate"],
    openapi_extra=LINK_TOKEN,
)
def heartbeat(x_invitation_token: Token = "") -> StatusOut:
    return candidate_session.heartbeat(deps, x_invitation_token, str(logger.get_correlation_id()))


@app.post(
    "/v1/candidate/interview/complete",
    response_model=StatusOut,
    tags=["candidate"],
    openapi_extra=LINK_TOKEN,
)
def complete(body: CompleteRequest, x_invitation_token: Token = "") -> StatusOut:
    """`manual` needs every required answer; completing again answers the first completion."""
    return candidate_session.complete(
        deps, x_invitation_token, body, str(logger.get_correlation_id())
    )


handler = lambda_handler_for(app)
