"""The candidate's flow against real PostgreSQL and LocalStack's S3: uploads S3 itself polices,
answers checked against the stored object, retakes, completion, expiry, the sweep, the outbox."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.errors import ConflictError, NotFoundError, UnprocessableError
from shared.events.publisher import EventPublisher
from shared.events.relay import transaction_with_events
from shared.interviews import (
    candidate_answers,
    candidate_interview,
    candidate_session,
    candidate_uploads,
)
from shared.interviews.candidate_models import (
    CURRENT_CONSENT_TEXT_VERSION,
    AnswerRequest,
    CompletedPart,
    CompleteRequest,
    CompleteUploadRequest,
    PartsRequest,
    StartRequest,
    UploadRequest,
)
from shared.interviews.deps import Deps
from shared.interviews.errors import InvitationGoneError
from shared.interviews.settings import CandidateSettings
from shared.interviews.storage import MediaStorage
from shared.interviews.sweep import sweep
from shared.interviews.tokens import new_link_token
from shared.models.events.interviews import InvitationCompleted
from shared.settings import DatabaseSettings
from tests.integration.conftest import LOCALSTACK

Conn = psycopg.Connection[Any]
CID = "itest-candidate"
CONSENT = StartRequest(recording=True, ai_analysis=True)
# Small caps, so "over the limit" is a few kilobytes: the policy S3 enforces is the same.
SETTINGS = CandidateSettings(video_max_bytes=64 * 1024, audio_max_bytes=32 * 1024)
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 2044


@pytest.fixture(scope="module")
def pool() -> Iterator[ConnectionPool]:
    name = f"itest_cand_{uuid.uuid4().hex[:10]}"
    admin = conninfo_for(DatabaseSettings(name="postgres", secret_arn=None))
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        conninfo = conninfo_for(DatabaseSettings(name=name, secret_arn=None))
        migrate(conninfo)
        with ConnectionPool(conninfo, min_size=1, max_size=4, open=True, name="itest") as opened:
            yield opened
    finally:
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def s3() -> Any:
    return localenv.client("s3", LOCALSTACK)


@pytest.fixture(scope="module")
def bucket(s3: Any) -> Iterator[str]:
    name = f"itest-cand-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    try:
        yield name
    finally:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in page.get("Contents", []):
                s3.delete_object(Bucket=name, Key=item["Key"])
        s3.delete_bucket(Bucket=name)


@pytest.fixture(scope="module")
def flow(pool: ConnectionPool, s3: Any, bucket: str) -> Deps:
    # Events really go to LocalStack's EventBridge (its default bus) after each commit.
    publisher = EventPublisher(localenv.client("events", LOCALSTACK), "default")
    storage = MediaStorage(s3, bucket)
    return Deps(
        transact=lambda: transaction_with_events(pool, publisher),
        settings=SETTINGS,
        storage=lambda: storage,
    )


@dataclass
class Seeded:
    token: str
    invitation_id: uuid.UUID
    company_id: uuid.UUID
    template_id: uuid.UUID
    questions: dict[str, uuid.UUID] = field(default_factory=dict)
    options: list[uuid.UUID] = field(default_factory=list)


def seed(
    pool: ConnectionPool,
    *,
    status: str = "pending",
    expires_in: timedelta = timedelta(days=7),
    max_retakes: int = 1,
    settings: dict[str, Any] | None = None,
    optional: tuple[str, ...] = (),
) -> Seeded:
    """A company, an active template with a video, an audio, a text and a choice question, and
    an invitation in ``status`` (rows written directly: the HR API is not under test here)."""
    token, token_hash = new_link_token()
    options = [uuid.uuid4(), uuid.uuid4()]
    with pool.connection() as conn, conn.transaction():
        user = conn.execute(
            "INSERT INTO identity.users (email, password_hash, role) VALUES (%s, 'x', 'hr')"
            " RETURNING id",
            (f"hr-{uuid.uuid4().hex[:10]}@example.com",),
        ).fetchone()
        assert user is not None
        company = conn.execute(
            "INSERT INTO identity.companies (name, owner_id) VALUES ('Acme', %s) RETURNING id",
            (user[0],),
        ).fetchone()
        assert company is not None
        template = conn.execute(
            "INSERT INTO interviews.templates (company_id, created_by, title, settings, status)"
            " VALUES (%s, %s, 'Backend engineer', %s, 'active') RETURNING id",
            (company[0], user[0], Jsonb(settings or {"language": "en"})),
        ).fetchone()
        assert template is not None
        seeded = Seeded(token, uuid.uuid4(), company[0], template[0], options=options)
        for position, kind in enumerate(("video", "audio", "text", "multiple_choice"), start=1):
            choice = (
                Jsonb(
                    [
                        {"id": str(options[0]), "text": "Yes", "correct": True},
                        {"id": str(options[1]), "text": "No", "correct": False},
                    ]
                )
                if kind == "multiple_choice"
                else None
            )
            row = conn.execute(
                "INSERT INTO interviews.questions (template_id, company_id, position, type, text,"
                " time_limit_s, max_retakes, required, rubric, options)"
                " VALUES (%s, %s, %s, %s, %s, 120, %s, %s, 'Names trade-offs', %s) RETURNING id",
                (
                    template[0],
                    company[0],
                    position,
                    kind,
                    f"Question about {kind} answers",
                    max_retakes,
                    kind not in optional,
                    choice,
                ),
            ).fetchone()
            assert row is not None
            seeded.questions[kind] = row[0]
        started = status in {"in_progress", "completed"}
        # A started interview has its consent (the schema holds it so).
        conn.execute(
            "INSERT INTO interviews.invitations (id, company_id, template_id, created_by,"
            " candidate_email, candidate_name, status, token_hash, expires_at, started_at,"
            " last_activity_at, recording_consent_at, ai_consent, ai_consent_at)"
            " VALUES (%(id)s, %(company)s, %(template)s, %(user)s, %(email)s, 'Grace',"
            " %(status)s, %(hash)s, now() + %(expires)s, CASE WHEN %(started)s THEN now() END,"
            " CASE WHEN %(started)s THEN now() END, CASE WHEN %(started)s THEN now() END,"
            " CASE WHEN %(started)s THEN true END, CASE WHEN %(started)s THEN now() END)",
            {
                "id": seeded.invitation_id,
                "company": company[0],
                "template": template[0],
                "user": user[0],
                "email": f"grace-{uuid.uuid4().hex[:8]}@example.com",
                "status": status,
                "hash": token_hash,
                "expires": expires_in,
                "started": started,
            },
        )
    return seeded


def events_of(pool: ConnectionPool, invitation_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT event_type, envelope FROM platform.outbox"
            " WHERE envelope->'payload'->>'invitationId' = %s ORDER BY created_at, event_type",
            (str(invitation_id),),
        ).fetchall()
    return [(row[0], row[1]) for row in rows]


def answers_of(pool: ConnectionPool, invitation_id: uuid.UUID) -> list[tuple[Any, ...]]:
    with pool.connection() as conn:
        return conn.execute(
            "SELECT question_id, attempt, is_current, kind, text_answer FROM interviews.answers"
            " WHERE invitation_id = %s ORDER BY question_id, attempt",
            (invitation_id,),
        ).fetchall()


def started(pool: ConnectionPool, flow: Deps, **kwargs: Any) -> Seeded:
    seeded = seed(pool, **kwargs)
    candidate_session.start(flow, seeded.token, CONSENT, CID)
    return seeded


def post_form(url: str, fields: dict[str, str], data: bytes, content_type: str) -> httpx.Response:
    """POST the presigned form as a browser does (multipart/form-data, the file last)."""
    return httpx.post(
        url, data=fields, files={"file": ("answer", data, content_type)}, timeout=30.0
    )


def upload_via_post(
    flow: Deps, seeded: Seeded, kind: str, data: bytes, content_type: str
) -> uuid.UUID:
    ticket = candidate_uploads.request_upload(
        flow,
        seeded.token,
        seeded.questions[kind],
        UploadRequest.model_validate({"content_type": content_type, "size_bytes": len(data)}),
        CID,
    )
    response = post_form(ticket.url, ticket.fields, data, content_type)
    assert response.status_code in {200, 201, 204}, response.text
    return ticket.upload_id


# ---- S3 polices the presigned POST ---------------------------------------------------------
def test_s3_itself_refuses_an_upload_of_another_content_type(
    pool: ConnectionPool, flow: Deps, s3: Any, bucket: str
) -> None:
    # Given a presigned POST for a video/webm answer
    seeded = started(pool, flow)
    ticket = candidate_uploads.request_upload(
        flow,
        seeded.token,
        seeded.questions["video"],
        UploadRequest(content_type="video/webm", size_bytes=len(WEBM)),
        CID,
    )
    assert ticket.key.startswith(f"raw/{seeded.company_id}/{seeded.invitation_id}/")
    assert ticket.fields["key"] == ticket.key

    # When the browser posts the file declaring another type
    forged = {**ticket.fields, "Content-Type": "text/html"}
    response = post_form(ticket.url, forged, WEBM, "text/html")

    # Then S3 refuses it, and nothing is stored under the key
    assert response.status_code == 403, response.text
    assert "Policy" in response.text or "AccessDenied" in response.text
    assert s3.list_objects_v2(Bucket=bucket, Prefix=ticket.key).get("KeyCount", 0) == 0


def test_s3_itself_refuses_an_upload_over_the_size_limit(
    pool: ConnectionPool, flow: Deps, s3: Any, bucket: str
) -> None:
    # Given a presigned POST for an audio answer (cap: 32 KiB here)
    seeded = started(pool, flow)
    ticket = candidate_uploads.request_upload(
        flow,
        seeded.token,
        seeded.questions["audio"],
        UploadRequest(content_type="audio/webm", size_bytes=1000),
        CID,
    )
    assert ticket.max_bytes == SETTINGS.audio_max_bytes

    # When the file posted is one byte over the cap
    response = post_form(
        ticket.url, ticket.fields, b"a" * (SETTINGS.audio_max_bytes + 1), "audio/webm"
    )

    # Then S3 refuses it (EntityTooLarge), and nothing is stored
    assert response.status_code == 400, response.text
    assert "EntityTooLarge" in response.text
    assert s3.list_objects_v2(Bucket=bucket, Prefix=ticket.key).get("KeyCount", 0) == 0


def test_an_upload_for_another_key_is_refused_by_s3(
    pool: ConnectionPool, flow: Deps, s3: Any, bucket: str
) -> None:
    seeded = started(pool, flow)
    ticket = candidate_uploads.request_upload(
        flow,
        seeded.token,
        seeded.questions["video"],
        UploadRequest(content_type="video/webm", size_bytes=len(WEBM)),
        CID,
    )
    other_key = f"raw/{uuid.uuid4()}/x.webm"
    response = post_form(ticket.url, {**ticket.fields, "key": other_key}, WEBM, "video/webm")
    assert response.status_code == 403, response.text
    assert s3.list_objects_v2(Bucket=bucket, Prefix=other_key).get("KeyCount", 0) == 0


def test_an_upload_row_exists_before_the_url_is_handed_out(
    pool: ConnectionPool, flow: Deps
) -> None:
    seeded = started(pool, flow)
    ticket = candidate_uploads.request_upload(
        flow,
        seeded.token,
        seeded.questions["video"],
        UploadRequest(content_type="video/mp4", size_bytes=10),
        CID,
    )
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT object_key, content_type, media_kind, max_bytes, expires_at"
            " FROM interviews.uploads WHERE id = %s",
            (ticket.upload_id,),
        ).fetchone()
    assert row is not None
    assert row[:4] == (ticket.key, "video/mp4", "video", SETTINGS.video_max_bytes)
    assert row[4] - datetime.now(UTC) <= timedelta(minutes=15)
    assert ticket.key.endswith(f"/{seeded.questions['video']}/{ticket.upload_id}.mp4")


def test_an_upload_type_not_allowed_for_the_question_writes_nothing(
    pool: ConnectionPool, flow: Deps
) -> None:
    seeded = started(pool, flow)
    with pytest.raises(UnprocessableError, match="content_type"):
        candidate_uploads.request_upload(
            flow,
            seeded.token,
            seeded.questions["audio"],
            UploadRequest(content_type="video/mp4", size_bytes=10),
            CID,
        )
    with pool.connection() as conn:
        count = conn.execute(
            "SELECT count(*) FROM interviews.uploads WHERE invitation_id = %s",
            (seeded.invitation_id,),
        ).fetchone()
    assert count == (0,)


# ---- answers -------------------------------------------------------------------------------
def test_a_media_answer_checks_the_uploaded_object_and_emits_response_submitted(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given a video uploaded through the presigned POST
    seeded = started(pool, flow)
    upload_id = upload_via_post(flow, seeded, "video", WEBM, "video/webm")

    # When the candidate submits it
    answer = candidate_answers.submit_answer(
        flow, seeded.token, seeded.questions["video"], AnswerRequest(upload_id=upload_id), CID
    )

    # Then the answer references the object with its real size, and the event is in the outbox
    assert (answer.kind, answer.attempt, answer.upload_id) == ("media", 1, upload_id)
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT media_bytes, media_content_type FROM interviews.answers WHERE id = %s",
            (answer.answer_id,),
        ).fetchone()
    assert row == (len(WEBM), "video/webm")
    submitted = [e for t, e in events_of(pool, seeded.invitation_id) if t == "response.submitted"]
    assert submitted[0]["payload"]["uploadId"] == str(upload_id)
    assert submitted[0]["tenantId"] == str(seeded.company_id)

    # and submitting the same upload again is a replay, not a second attempt
    again = candidate_answers.submit_answer(
        flow, seeded.token, seeded.questions["video"], AnswerRequest(upload_id=upload_id), CID
    )
    assert again.answer_id == answer.answer_id


def test_a_missing_uploaded_object_is_422_and_nothing_is_written(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given an upload URL the candidate never used
    seeded = started(pool, flow)
    ticket = candidate_uploads.request_upload(
        flow,
        seeded.token,
        seeded.questions["video"],
        UploadRequest(content_type="video/webm", size_bytes=100),
        CID,
    )
    before = events_of(pool, seeded.invitation_id)

    # When they submit it / Then 422, no answer and no event
    with pytest.raises(UnprocessableError, match="missing"):
        candidate_answers.submit_answer(
            flow,
            seeded.token,
            seeded.questions["video"],
            AnswerRequest(upload_id=ticket.upload_id),
            CID,
        )
    assert answers_of(pool, seeded.invitation_id) == []
    assert events_of(pool, seeded.invitation_id) == before


def test_an_upload_of_another_question_cannot_answer_this_one(
    pool: ConnectionPool, flow: Deps
) -> None:
    seeded = started(pool, flow)
    upload_id = upload_via_post(flow, seeded, "audio", b"OggS" + b"\x00" * 100, "audio/ogg")
    with pytest.raises(UnprocessableError, match="upload_id"):
        candidate_answers.submit_answer(
            flow, seeded.token, seeded.questions["video"], AnswerRequest(upload_id=upload_id), CID
        )


def test_text_and_choice_answers_are_checked_against_the_question(
    pool: ConnectionPool, flow: Deps
) -> None:
    seeded = started(pool, flow)
    with pytest.raises(UnprocessableError, match="option_ids"):
        candidate_answers.submit_answer(
            flow,
            seeded.token,
            seeded.questions["multiple_choice"],
            AnswerRequest(option_ids=[uuid.uuid4()]),
            CID,
        )
    with pytest.raises(UnprocessableError, match=r"body\.option_ids"):
        candidate_answers.submit_answer(
            flow,
            seeded.token,
            seeded.questions["multiple_choice"],
            AnswerRequest(text="an essay"),
            CID,
        )
    with pytest.raises(UnprocessableError, match=r"body\.text"):
        candidate_answers.submit_answer(
            flow,
            seeded.token,
            seeded.questions["text"],
            AnswerRequest(option_ids=[seeded.options[0]]),
            CID,
        )
    with pytest.raises(UnprocessableError, match="upload_id"):
        candidate_answers.submit_answer(
            flow, seeded.token, seeded.questions["video"], AnswerRequest(text="no video"), CID
        )
    assert answers_of(pool, seeded.invitation_id) == []
    choice = candidate_answers.submit_answer(
        flow,
        seeded.token,
        seeded.questions["multiple_choice"],
        AnswerRequest(option_ids=[seeded.options[1]]),
        CID,
    )
    assert choice.kind == "choice"


def test_retakes_replace_the_current_answer_until_the_limit_then_409(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given a text question with one retake
    seeded = started(pool, flow, max_retakes=1)
    question = seeded.questions["text"]

    # When the candidate answers, then retakes
    first = candidate_answers.submit_answer(
        flow, seeded.token, question, AnswerRequest(text="first"), CID
    )
    second = candidate_answers.submit_answer(
        flow, seeded.token, question, AnswerRequest(text="second"), CID
    )

    # Then the retake is attempt 2 and the current one, with no retakes left
    assert (first.attempt, first.retakes_left) == (1, 1)
    assert (second.attempt, second.retakes_left) == (2, 0)
    rows = answers_of(pool, seeded.invitation_id)
    assert [(r[1], r[2], r[4]) for r in rows] == [(1, False, "first"), (2, True, "second")]

    # and a third attempt is 409, writing nothing
    with pytest.raises(ConflictError, match="retakes"):
        candidate_answers.submit_answer(
            flow, seeded.token, question, AnswerRequest(text="third"), CID
        )
    assert len(answers_of(pool, seeded.invitation_id)) == 2
    view = candidate_interview.get_interview(flow, seeded.token, CID)
    progress = {p.question_id: p for p in view.progress}
    assert (progress[question].attempts_used, progress[question].retakes_left) == (2, 0)


def test_without_retakes_allowed_by_the_template_one_attempt_is_all(
    pool: ConnectionPool, flow: Deps
) -> None:
    seeded = started(pool, flow, max_retakes=3, settings={"retakes_allowed": False})
    question = seeded.questions["text"]
    candidate_answers.submit_answer(flow, seeded.token, question, AnswerRequest(text="only"), CID)
    with pytest.raises(ConflictError):
        candidate_answers.submit_answer(
            flow, seeded.token, question, AnswerRequest(text="again"), CID
        )


# ---- multipart -----------------------------------------------------------------------------
def test_a_multipart_upload_is_initiated_uploaded_by_part_urls_completed_and_answered(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given a multipart upload for the video question
    seeded = started(pool, flow)
    question = seeded.questions["video"]
    body = UploadRequest(content_type="video/webm", size_bytes=len(WEBM))
    started_upload = candidate_uploads.start_multipart(flow, seeded.token, question, body, CID)

    # When the one part is PUT to its presigned URL and the upload completed
    urls = candidate_uploads.part_urls(
        flow,
        seeded.token,
        question,
        started_upload.upload_id,
        PartsRequest(part_numbers=[1]),
        cid=CID,
    )
    put = httpx.put(urls.parts[0].url, content=WEBM, timeout=30.0)
    assert put.status_code == 200, put.text
    parts = [CompletedPart(part_number=1, etag=put.headers["ETag"])]
    done = candidate_uploads.complete_multipart(
        flow,
        seeded.token,
        question,
        started_upload.upload_id,
        CompleteUploadRequest(parts=parts),
        cid=CID,
    )

    # Then the object is there with its size, completing again is a replay, and it answers
    assert done.size_bytes == len(WEBM)
    again = candidate_uploads.complete_multipart(
        flow,
        seeded.token,
        question,
        started_upload.upload_id,
        CompleteUploadRequest(parts=parts),
        cid=CID,
    )
    assert again == done
    answer = candidate_answers.submit_answer(
        flow, seeded.token, question, AnswerRequest(upload_id=started_upload.upload_id), CID
    )
    assert answer.kind == "media"


def test_a_multipart_object_over_the_cap_is_deleted_on_completion(
    pool: ConnectionPool, flow: Deps, s3: Any, bucket: str
) -> None:
    # Given a multipart audio upload whose one part is bigger than the audio cap
    seeded = started(pool, flow)
    question = seeded.questions["audio"]
    body = UploadRequest(content_type="audio/webm", size_bytes=1000)
    upload = candidate_uploads.start_multipart(flow, seeded.token, question, body, CID)
    urls = candidate_uploads.part_urls(
        flow, seeded.token, question, upload.upload_id, PartsRequest(part_numbers=[1]), cid=CID
    )
    put = httpx.put(urls.parts[0].url, content=b"a" * (SETTINGS.audio_max_bytes + 1), timeout=30)
    assert put.status_code == 200

    # When it is completed / Then 422 and the object is gone
    with pytest.raises(UnprocessableError, match="limit"):
        candidate_uploads.complete_multipart(
            flow,
            seeded.token,
            question,
            upload.upload_id,
            CompleteUploadRequest(parts=[CompletedPart(part_number=1, etag=put.headers["ETag"])]),
            cid=CID,
        )
    assert s3.list_objects_v2(Bucket=bucket, Prefix=upload.key).get("KeyCount", 0) == 0


def test_an_aborted_multipart_upload_is_gone(pool: ConnectionPool, flow: Deps) -> None:
    seeded = started(pool, flow)
    question = seeded.questions["video"]
    body = UploadRequest(content_type="video/mp4", size_bytes=10)
    upload = candidate_uploads.start_multipart(flow, seeded.token, question, body, CID)

    candidate_uploads.abort_upload(flow, seeded.token, question, upload.upload_id, CID)

    with pytest.raises(NotFoundError):
        candidate_uploads.part_urls(
            flow,
            seeded.token,
            question,
            upload.upload_id,
            PartsRequest(part_numbers=[1]),
            cid=CID,
        )


# ---- start, complete, tokens ---------------------------------------------------------------
def test_starting_twice_is_fine_and_emits_invitation_started_once(
    pool: ConnectionPool, flow: Deps
) -> None:
    seeded = seed(pool)
    first = candidate_session.start(flow, seeded.token, CONSENT, CID)
    second = candidate_session.start(flow, seeded.token, CONSENT, CID)
    assert first.status == second.status == "in_progress"
    assert first.started_at == second.started_at
    types = [t for t, _ in events_of(pool, seeded.invitation_id)]
    assert types.count("invitation.started") == 1


def test_the_start_records_the_consent_and_a_repeated_start_keeps_the_first(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given a pending interview: no consent yet
    seeded = seed(pool)
    assert candidate_interview.get_interview(flow, seeded.token, CID).invitation.consent is None

    # When the candidate starts, consenting to recording and declining AI analysis, having been
    # shown the current consent text
    declined = StartRequest(
        recording=True, ai_analysis=False, text_version=CURRENT_CONSENT_TEXT_VERSION
    )
    first = candidate_session.start(flow, seeded.token, declined, CID)

    # Then the consent is recorded with the start
    assert first.consent is not None
    assert first.consent.ai_analysis is False
    assert first.started_at is not None
    assert first.consent.recording_at == first.consent.given_at == first.started_at
    assert first.consent.text_version == CURRENT_CONSENT_TEXT_VERSION

    # When starting again, now saying yes to AI analysis
    again = candidate_session.start(flow, seeded.token, CONSENT, CID)

    # Then it answers the same interview and the consent given first stands (its text's version
    # too, though this body states none)
    assert again == first
    shown = candidate_interview.get_interview(flow, seeded.token, CID).invitation.consent
    assert shown == first.consent
    assert [t for t, _ in events_of(pool, seeded.invitation_id)].count("invitation.started") == 1

    # and the completion tells the analysis the candidate declined it
    candidate_session.complete(flow, seeded.token, CompleteRequest(reason="early_finish"), CID)
    completed = [e for t, e in events_of(pool, seeded.invitation_id) if t == "invitation.completed"]
    assert InvitationCompleted.model_validate(completed[0]["payload"]).ai_analysis is False


def test_an_interview_cannot_start_without_consent_even_in_sql(pool: ConnectionPool) -> None:
    # Given a pending invitation
    seeded = seed(pool)

    # When anything starts it without recording the consent / Then the schema refuses it
    with pool.connection() as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "UPDATE interviews.invitations SET status = 'in_progress', started_at = now()"
            " WHERE id = %s",
            (seeded.invitation_id,),
        )
    # and half a consent is refused too
    with pool.connection() as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "UPDATE interviews.invitations SET recording_consent_at = now() WHERE id = %s",
            (seeded.invitation_id,),
        )


def test_heartbeat_needs_an_interview_in_progress(pool: ConnectionPool, flow: Deps) -> None:
    seeded = seed(pool)
    with pytest.raises(ConflictError):
        candidate_session.heartbeat(flow, seeded.token, CID)
    candidate_session.start(flow, seeded.token, CONSENT, CID)
    beat = candidate_session.heartbeat(flow, seeded.token, CID)
    assert beat.status == "in_progress"
    assert beat.last_activity_at is not None


def test_manual_completion_needs_every_required_answer_then_completes_once(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given an interview where only the text question is required and still unanswered
    seeded = started(pool, flow, optional=("video", "audio", "multiple_choice"))
    manual = CompleteRequest(reason="manual")

    # When completing manually / Then 422 naming the missing question, nothing changes
    with pytest.raises(UnprocessableError, match=str(seeded.questions["text"])):
        candidate_session.complete(flow, seeded.token, manual, CID)

    # When the candidate answers (twice: a retake) and completes, twice
    candidate_answers.submit_answer(
        flow, seeded.token, seeded.questions["text"], AnswerRequest(text="old"), CID
    )
    candidate_answers.submit_answer(
        flow, seeded.token, seeded.questions["text"], AnswerRequest(text="final"), CID
    )
    first = candidate_session.complete(flow, seeded.token, manual, CID)
    second = candidate_session.complete(
        flow, seeded.token, CompleteRequest(reason="early_finish"), CID
    )

    # Then it is completed once (the second call answers the first), with one event carrying
    # the questions (type, rubric, options with the correct one) and the current answer only
    assert first == second
    assert (first.status, first.completion_reason) == ("completed", "manual")
    completed = [e for t, e in events_of(pool, seeded.invitation_id) if t == "invitation.completed"]
    assert len(completed) == 1
    payload = InvitationCompleted.model_validate(completed[0]["payload"])
    assert [q.type for q in payload.questions] == ["video", "audio", "text", "multiple_choice"]
    assert payload.questions[0].rubric == "Names trade-offs"
    assert payload.questions[3].options is not None
    assert [o.correct for o in payload.questions[3].options] == [True, False]
    assert [(a.question_id, a.text, a.attempt) for a in payload.answers] == [
        (seeded.questions["text"], "final", 2)
    ]
    assert payload.language == "en"

    # and every later write is 409, while reading still works
    with pytest.raises(ConflictError):
        candidate_answers.submit_answer(
            flow, seeded.token, seeded.questions["text"], AnswerRequest(text="late"), CID
        )
    with pytest.raises(ConflictError):
        candidate_session.start(flow, seeded.token, CONSENT, CID)
    assert (
        candidate_interview.get_interview(flow, seeded.token, CID).invitation.status == "completed"
    )


def test_early_finish_needs_no_answers(pool: ConnectionPool, flow: Deps) -> None:
    seeded = started(pool, flow)
    done = candidate_session.complete(
        flow, seeded.token, CompleteRequest(reason="early_finish"), CID
    )
    assert (done.status, done.completion_reason) == ("completed", "early_finish")


@pytest.mark.parametrize("token", ["", "short", "x" * 43 + "y", "!" * 43])
def test_junk_tokens_are_404(flow: Deps, token: str) -> None:
    with pytest.raises(NotFoundError):
        candidate_interview.get_interview(flow, token, CID)


def test_an_unknown_or_tampered_token_is_404(pool: ConnectionPool, flow: Deps) -> None:
    seeded = seed(pool)
    tampered = seeded.token[:-1] + ("A" if seeded.token[-1] != "A" else "B")
    for token in (new_link_token()[0], tampered):
        with pytest.raises(NotFoundError):
            candidate_interview.get_interview(flow, token, CID)


def test_one_invitations_token_cannot_touch_another_invitations_question(
    pool: ConnectionPool, flow: Deps
) -> None:
    mine, theirs = started(pool, flow), started(pool, flow)
    with pytest.raises(NotFoundError):
        candidate_answers.submit_answer(
            flow, mine.token, theirs.questions["text"], AnswerRequest(text="hello"), CID
        )
    with pytest.raises(NotFoundError):
        candidate_uploads.request_upload(
            flow,
            mine.token,
            theirs.questions["video"],
            UploadRequest(content_type="video/webm", size_bytes=10),
            CID,
        )
    assert answers_of(pool, theirs.invitation_id) == []


def test_an_overdue_invitation_is_expired_on_the_spot_with_its_event(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given an in-progress invitation whose expiry passed (the sweep has not run yet)
    seeded = seed(pool, status="in_progress", expires_in=timedelta(seconds=-5))

    # When the candidate opens the link / Then 410, and the expiry was committed with its event
    with pytest.raises(InvitationGoneError):
        candidate_interview.get_interview(flow, seeded.token, CID)
    with pool.connection() as conn:
        status = conn.execute(
            "SELECT status, expired_at IS NOT NULL FROM interviews.invitations WHERE id = %s",
            (seeded.invitation_id,),
        ).fetchone()
    assert status == ("expired", True)
    expired = [e for t, e in events_of(pool, seeded.invitation_id) if t == "invitation.expired"]
    assert [e["payload"]["previousStatus"] for e in expired] == ["in_progress"]

    # and later calls are 410 without a second event
    with pytest.raises(InvitationGoneError):
        candidate_session.start(flow, seeded.token, CONSENT, CID)
    assert (
        len([t for t, _ in events_of(pool, seeded.invitation_id) if t == "invitation.expired"]) == 1
    )


def test_a_cancelled_invitation_is_410(pool: ConnectionPool, flow: Deps) -> None:
    seeded = seed(pool, status="cancelled")
    with pytest.raises(InvitationGoneError, match="cancelled"):
        candidate_interview.get_interview(flow, seeded.token, CID)
    with pytest.raises(InvitationGoneError):
        candidate_session.start(flow, seeded.token, CONSENT, CID)


# ---- the sweep -----------------------------------------------------------------------------
def _far_deadline() -> float:
    return time.monotonic() + 60


def test_the_sweep_auto_completes_interviews_idle_for_thirty_minutes(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given an interview idle for 31 minutes with one answer, and one active a minute ago
    idle, active = started(pool, flow), started(pool, flow)
    candidate_answers.submit_answer(
        flow, idle.token, idle.questions["text"], AnswerRequest(text="hi"), CID
    )
    with pool.connection() as conn:
        conn.execute(
            "UPDATE interviews.invitations SET last_activity_at = now() - interval '31 minutes'"
            " WHERE id = %s",
            (idle.invitation_id,),
        )
        conn.execute(
            "UPDATE interviews.invitations SET last_activity_at = now() - interval '1 minute'"
            " WHERE id = %s",
            (active.invitation_id,),
        )

    # When the sweep runs
    report = sweep(flow.transact, SETTINGS, CID, deadline=_far_deadline())

    # Then the idle one is completed with auto_timeout and its event; the active one is not
    assert report.auto_completed >= 1
    assert candidate_interview.get_interview(
        flow, idle.token, CID
    ).invitation.completion_reason == ("auto_timeout")
    assert (
        candidate_interview.get_interview(flow, active.token, CID).invitation.status
        == "in_progress"
    )
    completed = [e for t, e in events_of(pool, idle.invitation_id) if t == "invitation.completed"]
    assert [e["payload"]["reason"] for e in completed] == ["auto_timeout"]
    assert [a["text"] for a in completed[0]["payload"]["answers"]] == ["hi"]


def test_the_sweep_completes_interviews_past_their_total_time_limit_and_grace(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given two active interviews of a 10-minute template, one started 13 minutes ago (past
    # the limit and the 2-minute grace) and one 11 minutes ago (within the grace)
    limited = {"total_time_limit_s": 600}
    over, grace = started(pool, flow, settings=limited), started(pool, flow, settings=limited)
    candidate_answers.submit_answer(
        flow, over.token, over.questions["text"], AnswerRequest(text="hi"), CID
    )
    with pool.connection() as conn:
        for seeded, minutes in ((over, 13), (grace, 11)):
            conn.execute(
                "UPDATE interviews.invitations SET started_at = now() - make_interval("
                "mins => %s), last_activity_at = now() - interval '1 minute' WHERE id = %s",
                (minutes, seeded.invitation_id),
            )
    # The candidate sees when the limit runs out
    view = candidate_interview.get_interview(flow, grace.token, CID)
    assert view.invitation.started_at is not None
    assert view.invitation.time_limit_ends_at == view.invitation.started_at + timedelta(minutes=10)

    # When the sweep runs
    report = sweep(flow.transact, SETTINGS, CID, deadline=_far_deadline())

    # Then the one out of time is completed with what was answered (by the sweep itself: read
    # from the table, since opening the interview would complete it on the spot); the other
    # goes on
    assert report.auto_completed == 1
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT id, status, completion_reason FROM interviews.invitations WHERE id = ANY(%s)",
            ([over.invitation_id, grace.invitation_id],),
        ).fetchall()
    assert {r[0]: (r[1], r[2]) for r in rows} == {
        over.invitation_id: ("completed", "auto_timeout"),
        grace.invitation_id: ("in_progress", None),
    }
    completed = [e for t, e in events_of(pool, over.invitation_id) if t == "invitation.completed"]
    assert [e["payload"]["reason"] for e in completed] == ["auto_timeout"]
    assert [a["text"] for a in completed[0]["payload"]["answers"]] == ["hi"]


def test_an_answer_past_the_time_limit_and_grace_meets_a_completed_interview(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given an active interview of a 10-minute template started 13 minutes ago (no sweep yet)
    seeded = started(pool, flow, settings={"total_time_limit_s": 600})
    with pool.connection() as conn:
        conn.execute(
            "UPDATE interviews.invitations SET started_at = now() - interval '13 minutes',"
            " last_activity_at = now() WHERE id = %s",
            (seeded.invitation_id,),
        )
    # When the candidate submits an answer
    with pytest.raises(ConflictError, match="completed"):
        candidate_answers.submit_answer(
            flow, seeded.token, seeded.questions["text"], AnswerRequest(text="late"), CID
        )
    # Then the interview was completed on the spot, once, without the late answer
    view = candidate_interview.get_interview(flow, seeded.token, CID)
    assert (view.invitation.status, view.invitation.completion_reason) == (
        "completed",
        "auto_timeout",
    )
    completed = [e for t, e in events_of(pool, seeded.invitation_id) if t == "invitation.completed"]
    assert len(completed) == 1
    assert completed[0]["payload"]["answers"] == []


def test_the_sweep_expires_overdue_pending_and_in_progress_invitations(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given an overdue pending, an overdue in-progress and a live pending invitation
    pending = seed(pool, expires_in=timedelta(minutes=-1))
    running = seed(pool, status="in_progress", expires_in=timedelta(minutes=-1))
    live = seed(pool)

    # When the sweep runs twice
    sweep(flow.transact, SETTINGS, CID, deadline=_far_deadline())
    sweep(flow.transact, SETTINGS, CID, deadline=_far_deadline())

    # Then both overdue ones are expired, once each, with their previous status
    for seeded, previous in ((pending, "pending"), (running, "in_progress")):
        expired = [e for t, e in events_of(pool, seeded.invitation_id) if t == "invitation.expired"]
        assert [e["payload"]["previousStatus"] for e in expired] == [previous]
        with pytest.raises(InvitationGoneError):
            candidate_interview.get_interview(flow, seeded.token, CID)
    assert candidate_interview.get_interview(flow, live.token, CID).invitation.status == "pending"


def test_concurrent_sweeps_act_once_on_each_invitation(pool: ConnectionPool, flow: Deps) -> None:
    # Given many overdue invitations
    batch = [seed(pool, expires_in=timedelta(minutes=-1)) for _ in range(12)]
    small = CandidateSettings(sweep_batch_size=3)

    # When three sweeps run at the same time
    reports = []
    threads = [
        threading.Thread(
            target=lambda: reports.append(
                sweep(flow.transact, small, CID, deadline=_far_deadline())
            )
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then every invitation is expired exactly once
    for seeded in batch:
        types = [t for t, _ in events_of(pool, seeded.invitation_id)]
        assert types.count("invitation.expired") == 1
    assert json.dumps(sorted(r.expired for r in reports))  # all three finished
    assert len(reports) == 3


def test_a_retried_upload_request_with_its_idempotency_key_gets_the_same_upload(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given an upload request sent twice with one Idempotency-Key (a retry after a timeout)
    seeded = started(pool, flow)
    body = UploadRequest(content_type="video/webm", size_bytes=100)
    first = candidate_uploads.request_upload(
        flow, seeded.token, seeded.questions["video"], body, CID, idempotency_key="k-1"
    )
    again = candidate_uploads.request_upload(
        flow, seeded.token, seeded.questions["video"], body, CID, idempotency_key="k-1"
    )
    multipart = candidate_uploads.start_multipart(
        flow, seeded.token, seeded.questions["video"], body, CID, idempotency_key="k-2"
    )
    multipart_again = candidate_uploads.start_multipart(
        flow, seeded.token, seeded.questions["video"], body, CID, idempotency_key="k-2"
    )

    # Then both answers name the same upload, and only one row exists per key
    assert again.upload_id == first.upload_id
    assert multipart_again.upload_id == multipart.upload_id
    with pool.connection() as conn:
        count = conn.execute(
            "SELECT count(*) FROM interviews.uploads WHERE invitation_id = %s",
            (seeded.invitation_id,),
        ).fetchone()
    assert count == (2,)

    # and the same key for another question is a conflict
    with pytest.raises(ConflictError, match="Idempotency-Key"):
        candidate_uploads.request_upload(
            flow,
            seeded.token,
            seeded.questions["audio"],
            UploadRequest(content_type="audio/webm", size_bytes=100),
            CID,
            idempotency_key="k-1",
        )


def test_an_interview_idle_past_the_timeout_is_auto_completed_on_the_spot(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given two interviews idle for 31 minutes (the sweep has not run yet)
    writer, reader = started(pool, flow), started(pool, flow)
    with pool.connection() as conn:
        conn.execute(
            "UPDATE interviews.invitations SET last_activity_at = now() - interval '31 minutes'"
            " WHERE id = ANY(%s)",
            ([writer.invitation_id, reader.invitation_id],),
        )

    # When one candidate sends a heartbeat and the other opens the interview
    with pytest.raises(ConflictError, match="completed"):
        candidate_session.heartbeat(flow, writer.token, CID)
    view = candidate_interview.get_interview(flow, reader.token, CID)

    # Then both were completed with auto_timeout (committed, one event each); reads still work
    assert view.invitation.status == "completed"
    assert view.invitation.completion_reason == "auto_timeout"
    for seeded in (writer, reader):
        types = [t for t, _ in events_of(pool, seeded.invitation_id)]
        assert types.count("invitation.completed") == 1
    done = candidate_session.complete(flow, writer.token, CompleteRequest(reason="manual"), CID)
    assert done.completion_reason == "auto_timeout"


def test_the_candidate_sees_which_company_interviews_them(pool: ConnectionPool, flow: Deps) -> None:
    # Given an invitation of Acme's (issue 15: the landing page names the company)
    seeded = started(pool, flow)
    # When the candidate reads the interview / Then Acme's name is in it
    view = candidate_interview.get_interview(flow, seeded.token, CID)
    assert view.company is not None
    assert view.company.name == "Acme"


def test_answers_and_the_completion_carry_the_templates_required_skills(
    pool: ConnectionPool, flow: Deps
) -> None:
    # Given a started interview whose template requires two skills of the taxonomy
    seeded = started(pool, flow, optional=("video", "audio", "multiple_choice"))
    suffix = uuid.uuid4().hex[:8]
    with pool.connection() as conn, conn.transaction():
        category = conn.execute(
            "INSERT INTO identity.skill_categories (name) VALUES (%s) RETURNING id",
            (f"Data {suffix}",),
        ).fetchone()
        assert category is not None
        skills = {}
        for name in (f"SQL {suffix}", f"Airflow {suffix}"):
            row = conn.execute(
                "INSERT INTO identity.skills (category_id, name) VALUES (%s, %s) RETURNING id",
                (category[0], name),
            ).fetchone()
            assert row is not None
            skills[name] = row[0]
            conn.execute(
                "INSERT INTO interviews.template_skills (template_id, skill_id, company_id)"
                " VALUES (%s, %s, %s)",
                (seeded.template_id, row[0], seeded.company_id),
            )

    # When the candidate answers and completes
    candidate_answers.submit_answer(
        flow, seeded.token, seeded.questions["text"], AnswerRequest(text="I write SQL."), CID
    )
    candidate_session.complete(flow, seeded.token, CompleteRequest(reason="manual"), CID)

    # Then both events name the required skills (id and name, by name), for the analysis
    events = events_of(pool, seeded.invitation_id)
    expected = sorted(
        ({"skillId": str(i), "name": n} for n, i in skills.items()),
        key=lambda s: s["name"].casefold(),
    )
    (submitted,) = [e for t, e in events if t == "response.submitted"]
    assert submitted["payload"]["requiredSkills"] == expected
    (completed,) = [e for t, e in events if t == "invitation.completed"]
    assert completed["payload"]["requiredSkills"] == expected
