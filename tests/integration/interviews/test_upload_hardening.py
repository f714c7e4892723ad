"""The candidate's uploads against a hostile candidate (issue 13, findings 1 and 2), against real
PostgreSQL and LocalStack's S3 with a versioned bucket (as the media bucket is):

* the submitted answer pins its object version; posting the same presigned form again after
  submitting and completing writes a new version, which neither HR's playback nor the answer
  follows;
* upload URLs per question are capped (409 problem beyond);
* a multipart object over the cap is deleted with its exact version (on a versioned bucket a
  plain delete only adds a delete marker, and the bytes stay).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from psycopg_pool import ConnectionPool

from scripts import localenv
from shared.errors import ConflictError, UnprocessableError
from shared.events.publisher import EventPublisher
from shared.events.relay import transaction_with_events
from shared.interviews import candidate_answers, candidate_session, candidate_uploads
from shared.interviews.candidate_models import (
    AnswerRequest,
    CompletedPart,
    CompleteRequest,
    CompleteUploadRequest,
    PartsRequest,
    UploadRequest,
)
from shared.interviews.deps import Deps
from shared.interviews.storage import MediaStorage, presign_playback
from tests.integration.conftest import LOCALSTACK
from tests.integration.interviews.test_candidate_flow import (
    CID,
    CONSENT,
    SETTINGS,
    WEBM,
    Seeded,
    pool,
    post_form,
    s3,
    seed,
)

__all__ = ["pool", "s3"]  # module fixtures shared with the candidate flow's tests
OTHER = b"\x1a\x45\xdf\xa3" + b"\x01" * 3000


@pytest.fixture(scope="module")
def versioned_bucket(s3: Any) -> Iterator[str]:
    name = f"itest-pin-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    try:
        yield name
    finally:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                s3.delete_object(Bucket=name, Key=v["Key"], VersionId=v["VersionId"])
        s3.delete_bucket(Bucket=name)


@pytest.fixture(scope="module")
def flow(pool: ConnectionPool, s3: Any, versioned_bucket: str) -> Deps:
    publisher = EventPublisher(localenv.client("events", LOCALSTACK), "default")
    storage = MediaStorage(s3, versioned_bucket)
    return Deps(
        transact=lambda: transaction_with_events(pool, publisher),
        settings=SETTINGS,
        storage=lambda: storage,
    )


def _started(pool: ConnectionPool, flow: Deps, **kwargs: Any) -> Seeded:
    seeded = seed(pool, **kwargs)
    candidate_session.start(flow, seeded.token, CONSENT, CID)
    return seeded


def _ticket(flow: Deps, seeded: Seeded, kind: str = "video") -> Any:
    return candidate_uploads.request_upload(
        flow,
        seeded.token,
        seeded.questions[kind],
        UploadRequest(content_type="video/webm", size_bytes=len(WEBM)),
        CID,
    )


def _versions(s3: Any, bucket: str, key: str) -> list[dict[str, Any]]:
    page = s3.list_object_versions(Bucket=bucket, Prefix=key)
    return [
        v for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])] if v["Key"] == key
    ]


def test_posting_the_form_again_after_completing_changes_nothing_hr_plays(
    pool: ConnectionPool, flow: Deps, s3: Any, versioned_bucket: str
) -> None:
    # Given a video answer uploaded by presigned POST, submitted, and the interview completed
    seeded = _started(pool, flow, optional=("audio", "text", "multiple_choice"))
    ticket = _ticket(flow, seeded)
    assert post_form(ticket.url, ticket.fields, WEBM, "video/webm").status_code in {200, 201, 204}
    question = seeded.questions["video"]
    answer = candidate_answers.submit_answer(
        flow, seeded.token, question, AnswerRequest(upload_id=ticket.upload_id), CID
    )
    candidate_session.complete(flow, seeded.token, CompleteRequest(reason="manual"), CID)
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT media_version_id FROM interviews.answers WHERE id = %s", (answer.answer_id,)
        ).fetchone()
    assert row is not None
    pinned = row[0]
    [first] = _versions(s3, versioned_bucket, ticket.key)
    assert pinned == first["VersionId"]
    # When the same form is posted again within its 15 minutes, with other bytes
    again = post_form(ticket.url, ticket.fields, OTHER, "video/webm")
    assert again.status_code in {200, 201, 204}  # S3 takes it: the policy is still valid
    assert len(_versions(s3, versioned_bucket, ticket.key)) == 2
    # Then what HR plays (signed with the pinned version) is still the submitted bytes
    url = presign_playback(s3, versioned_bucket, ticket.key, 60, pinned)
    assert httpx.get(url, timeout=30).content == WEBM
    # (an unpinned URL would play the replacement: the reason for the pin)
    assert (
        httpx.get(presign_playback(s3, versioned_bucket, ticket.key, 60), timeout=30).content
        == OTHER
    )


def test_an_upload_written_twice_before_submit_cannot_be_submitted(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given a form posted twice (two versions under the upload's key)
    seeded = _started(pool, flow)
    ticket = _ticket(flow, seeded)
    post_form(ticket.url, ticket.fields, WEBM, "video/webm")
    post_form(ticket.url, ticket.fields, OTHER, "video/webm")
    # Then submitting it is a conflict: which one is the answer? (the pipeline takes only one)
    with pytest.raises(ConflictError, match="more than once"):
        candidate_answers.submit_answer(
            flow,
            seeded.token,
            seeded.questions["video"],
            AnswerRequest(upload_id=ticket.upload_id),
            CID,
        )


def test_upload_urls_are_capped_per_question(pool: ConnectionPool, flow: Deps) -> None:
    # Given a question allowing one attempt (no retakes): 3 upload URLs
    seeded = _started(pool, flow, max_retakes=0)
    tickets = [_ticket(flow, seeded) for _ in range(SETTINGS.uploads_per_attempt)]
    assert len({t.upload_id for t in tickets}) == 3
    # When a fourth is asked for, by POST or multipart
    with pytest.raises(ConflictError, match="upload URLs"):
        _ticket(flow, seeded)
    with pytest.raises(ConflictError, match="upload URLs"):
        candidate_uploads.start_multipart(
            flow,
            seeded.token,
            seeded.questions["video"],
            UploadRequest(content_type="video/webm", size_bytes=len(WEBM)),
            CID,
        )
    # Then nothing more was created, and another question still has its own URLs
    with pool.connection() as conn:
        count = conn.execute(
            "SELECT count(*) FROM interviews.uploads WHERE invitation_id = %s",
            (seeded.invitation_id,),
        ).fetchone()
    assert count == (3,)
    assert candidate_uploads.request_upload(
        flow,
        seeded.token,
        seeded.questions["audio"],
        UploadRequest(content_type="audio/webm", size_bytes=100),
        CID,
    )


def test_the_cap_grows_with_the_retakes_a_question_allows(pool: ConnectionPool, flow: Deps) -> None:
    seeded = _started(pool, flow, max_retakes=1)
    for _ in range(2 * SETTINGS.uploads_per_attempt):
        _ticket(flow, seeded)
    with pytest.raises(ConflictError):
        _ticket(flow, seeded)


def test_an_over_cap_multipart_object_is_deleted_with_its_version(
    pool: ConnectionPool, flow: Deps, s3: Any, versioned_bucket: str
) -> None:
    # Given a multipart audio upload over the audio cap, on the versioned bucket
    seeded = _started(pool, flow)
    question = seeded.questions["audio"]
    body = UploadRequest(content_type="audio/webm", size_bytes=1000)
    upload = candidate_uploads.start_multipart(flow, seeded.token, question, body, CID)
    urls = candidate_uploads.part_urls(
        flow, seeded.token, question, upload.upload_id, PartsRequest(part_numbers=[1]), cid=CID
    )
    put = httpx.put(urls.parts[0].url, content=b"a" * (SETTINGS.audio_max_bytes + 1), timeout=30)
    assert put.status_code == 200
    # When it is completed: 422
    with pytest.raises(UnprocessableError, match="limit"):
        candidate_uploads.complete_multipart(
            flow,
            seeded.token,
            question,
            upload.upload_id,
            CompleteUploadRequest(parts=[CompletedPart(part_number=1, etag=put.headers["ETag"])]),
            cid=CID,
        )
    # Then no version of it is left (no bytes behind a delete marker)
    assert _versions(s3, versioned_bucket, upload.key) == []
