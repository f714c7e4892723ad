"""The candidate's uploads straight to S3: presigned POST, or multipart for large files."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Response

from shared.http.app import LINK_TOKEN, create_app, lambda_handler_for
from shared.http.problems import PROBLEM_MEDIA_TYPE
from shared.interviews import candidate_uploads
from shared.interviews.candidate_models import (
    CompleteUploadRequest,
    MultipartStarted,
    PartsRequest,
    PartUrls,
    PresignedPost,
    UploadCompleted,
    UploadRequest,
)
from shared.interviews.deps import default_deps
from shared.observability import logger

app = create_app("Candidate: uploads")
deps = default_deps()
Token = Annotated[str, Header()]
IdempotencyKey = Annotated[str | None, Header(max_length=255)]
_BASE = "/v1/candidate/interview/questions/{question_id}/uploads"
# The cap on upload URLs per question (INTERVIEWS_UPLOADS_PER_ATTEMPT per allowed attempt).
_CAPPED: dict[int | str, dict[str, object]] = {
    409: {
        "description": "The question has used up its upload URLs, no retakes are left, or the"
        " interview is not in progress",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


def _cid() -> str:
    return str(logger.get_correlation_id())


@app.post(
    _BASE,
    status_code=201,
    response_model=PresignedPost,
    tags=["candidate"],
    responses=_CAPPED,
    openapi_extra=LINK_TOKEN,
)
def request_upload(
    question_id: uuid.UUID,
    body: UploadRequest,
    x_invitation_token: Token = "",
    idempotency_key: IdempotencyKey = None,
) -> PresignedPost:
    """A presigned POST for one key, the exact type, 1 byte to the cap, <= 15 minutes."""
    return candidate_uploads.request_upload(
        deps, x_invitation_token, question_id, body, _cid(), idempotency_key=idempotency_key
    )


@app.post(
    f"{_BASE}/multipart",
    status_code=201,
    response_model=MultipartStarted,
    tags=["candidate"],
    responses=_CAPPED,
    openapi_extra=LINK_TOKEN,
)
def start_multipart(
    question_id: uuid.UUID,
    body: UploadRequest,
    x_invitation_token: Token = "",
    idempotency_key: IdempotencyKey = None,
) -> MultipartStarted:
    return candidate_uploads.start_multipart(
        deps, x_invitation_token, question_id, body, _cid(), idempotency_key=idempotency_key
    )


@app.post(
    f"{_BASE}/{{upload_id}}/parts",
    response_model=PartUrls,
    tags=["candidate"],
    openapi_extra=LINK_TOKEN,
)
def part_urls(
    question_id: uuid.UUID, upload_id: uuid.UUID, body: PartsRequest, x_invitation_token: Token = ""
) -> PartUrls:
    return candidate_uploads.part_urls(
        deps, x_invitation_token, question_id, upload_id, body, cid=_cid()
    )


@app.post(
    f"{_BASE}/{{upload_id}}/complete",
    response_model=UploadCompleted,
    tags=["candidate"],
    openapi_extra=LINK_TOKEN,
)
def complete_multipart(
    question_id: uuid.UUID,
    upload_id: uuid.UUID,
    body: CompleteUploadRequest,
    x_invitation_token: Token = "",
) -> UploadCompleted:
    return candidate_uploads.complete_multipart(
        deps, x_invitation_token, question_id, upload_id, body, cid=_cid()
    )


@app.delete(f"{_BASE}/{{upload_id}}", status_code=204, tags=["candidate"], openapi_extra=LINK_TOKEN)
def abort_upload(
    question_id: uuid.UUID, upload_id: uuid.UUID, x_invitation_token: Token = ""
) -> Response:
    candidate_uploads.abort_upload(deps, x_invitation_token, question_id, upload_id, _cid())
    return Response(status_code=204)


handler = lambda_handler_for(app)
