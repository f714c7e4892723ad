"""The candidate's use cases, by link token: one transaction each, events in the outbox.

Token failures: a malformed, tampered or unknown token is 404 (nothing says whether a link ever
existed); an expired or a cancelled invitation is 410 (the link was real and is dead: the
candidate gets a clear answer, and a cancelled link behaves exactly like an expired one). An
invitation found overdue at request time is expired on the spot, with its event, and then
answers 410. A completed interview can still be read; every write on it is 409.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from shared.dal.db import transaction
from shared.dal.sql import Conn
from shared.errors import ConflictError, NotFoundError, UnprocessableError
from shared.interviews import candidate_dal as dal
from shared.interviews import lifecycle
from shared.interviews.candidate_models import (
    AnswerRequest,
    CandidateAnswer,
    CandidateInterview,
    CandidateInvitation,
    CandidateOption,
    CandidateQuestion,
    CandidateTemplate,
    CompleteRequest,
    CompleteUploadRequest,
    MultipartStarted,
    PartsRequest,
    PartUrls,
    PresignedPost,
    QuestionProgress,
    StatusOut,
    UploadCompleted,
    UploadIntent,
    UploadRequest,
)
from shared.interviews.lifecycle import InvitationGoneError
from shared.interviews.rows import AnswerRow, InvitationRow, QuestionRow, UploadRow
from shared.interviews.settings import CandidateSettings, get_candidate_settings
from shared.interviews.tokens import hash_token, looks_like_token
from shared.interviews.uploads import MediaStorage, check_object, require_multipart
from shared.media.public import raw_key
from shared.models.events.interviews import InvitationStarted, ResponseSubmitted

Transact = Callable[[], AbstractContextManager[Conn]]
_NOT_FOUND = "No interview for this link."


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CandidateFlow:
    """What the use cases need, injected: the transaction factory, settings, storage (made on
    first use: only the upload and answer functions talk to S3), clock."""

    transact: Transact
    settings: CandidateSettings
    storage: Callable[[], MediaStorage] | None = None
    now: Callable[[], datetime] = field(default=_utcnow)

    def media(self) -> MediaStorage:
        if self.storage is None:
            raise RuntimeError("this use case needs the media storage")
        return self.storage()


def default_flow() -> CandidateFlow:
    """The process's flow: the pool's transactions, settings from the environment, the bucket."""
    from shared.interviews.uploads import default_storage  # noqa: PLC0415 - boto3 on demand

    return CandidateFlow(
        transact=transaction, settings=get_candidate_settings(), storage=default_storage
    )


def _with_invitation[T](
    flow: CandidateFlow,
    token: str,
    cid: str,
    action: Callable[[Conn, InvitationRow], T],
    *,
    write: bool,
) -> T:
    """Resolve the link and run ``action`` in one transaction. An overdue invitation is expired
    on the spot (committed, then 410); an interview idle past the timeout, or past its total
    time limit and the grace, is auto-completed on the spot (committed), and ``action`` then
    runs on the completed interview."""
    if not looks_like_token(token):
        raise NotFoundError(_NOT_FOUND)
    token_hash = hash_token(token)
    expired = timed_out = False
    with flow.transact() as conn:
        invitation = dal.find_invitation_by_token(conn, token_hash, lock=write)
        if invitation is None:
            raise NotFoundError(_NOT_FOUND)
        now = flow.now()
        if not write and (
            lifecycle.is_overdue(invitation, now)
            or lifecycle.times_out(invitation, now, flow.settings)
        ):
            # Lock it now (readers do not lock), then look again: the sweep may have won.
            invitation = dal.find_invitation_by_token(conn, token_hash, lock=True)
            assert invitation is not None
        if lifecycle.is_overdue(invitation, now):
            lifecycle.expire(conn, invitation, cid)
            expired = True
        elif invitation.status in {"expired", "cancelled"}:
            raise InvitationGoneError(
                f"This interview link is dead: the invitation was {invitation.status}."
            )
        elif lifecycle.times_out(invitation, now, flow.settings):
            lifecycle.complete(conn, invitation, "auto_timeout", cid)
            timed_out = True
        else:
            result = action(conn, invitation)
    if expired:
        raise InvitationGoneError("This interview link has expired.")
    if timed_out:
        # The completion is committed; the request now meets a completed interview (reads
        # answer, writes are 409, complete answers the completion).
        return _with_invitation(flow, token, cid, action, write=write)
    return result


def _question(conn: Conn, invitation: InvitationRow, question_id: uuid.UUID) -> QuestionRow:
    question = dal.question(conn, invitation.template_id, question_id)
    if question is None:
        raise NotFoundError("No such question in this interview.")
    return question


# ---- read ----------------------------------------------------------------------------------
def interview_view(
    invitation: InvitationRow, questions: list[QuestionRow], attempts: dict[uuid.UUID, int]
) -> CandidateInterview:
    settings = invitation.template_settings
    ordered = lifecycle.candidate_order(invitation.id, questions, settings.randomize_questions)
    return CandidateInterview(
        invitation=CandidateInvitation(
            id=invitation.id,
            status=invitation.status,
            candidate_name=invitation.candidate_name,
            expires_at=invitation.expires_at,
            started_at=invitation.started_at,
            time_limit_ends_at=lifecycle.time_limit_ends_at(invitation),
            completed_at=invitation.completed_at,
            completion_reason=invitation.completion_reason,
        ),
        template=CandidateTemplate(
            title=invitation.template_title,
            description=invitation.template_description,
            settings=settings,
        ),
        questions=[
            CandidateQuestion(
                id=q.id,
                position=index,
                type=q.type,
                text=q.text,
                time_limit_s=q.time_limit_s,
                think_time_s=q.think_time_s,
                max_retakes=q.max_retakes if settings.retakes_allowed else 0,
                required=q.required,
                hints=q.hints,
                options=(
                    [CandidateOption(id=o.id, text=o.text) for o in q.options]
                    if q.options is not None
                    else None
                ),
            )
            for index, q in enumerate(ordered, start=1)
        ],
        progress=[
            QuestionProgress(
                question_id=q.id,
                answered=attempts.get(q.id, 0) > 0,
                attempts_used=attempts.get(q.id, 0),
                retakes_left=lifecycle.retakes_left(q, settings, attempts.get(q.id, 0)),
            )
            for q in ordered
        ],
    )


def get_interview(flow: CandidateFlow, token: str, cid: str) -> CandidateInterview:
    def read(conn: Conn, invitation: InvitationRow) -> CandidateInterview:
        return interview_view(
            invitation,
            dal.questions(conn, invitation.template_id),
            dal.attempts_by_question(conn, invitation.id),
        )

    return _with_invitation(flow, token, cid, read, write=False)


# ---- start, heartbeat, complete ------------------------------------------------------------
def start(flow: CandidateFlow, token: str, cid: str) -> StatusOut:
    def run(conn: Conn, invitation: InvitationRow) -> StatusOut:
        if invitation.status == "completed":
            raise ConflictError("The interview is already completed.")
        if invitation.status == "pending":
            dal.mark_started(conn, invitation.id)
            invitation = dal.get_invitation(conn, invitation.id)
            assert invitation.started_at is not None
            payload = InvitationStarted(
                invitation_id=invitation.id,
                template_id=invitation.template_id,
                started_at=invitation.started_at,
            )
            lifecycle.emit(conn, invitation, "invitation.started", payload, cid)
        return lifecycle.status_of(invitation)

    return _with_invitation(flow, token, cid, run, write=True)


def heartbeat(flow: CandidateFlow, token: str, cid: str) -> StatusOut:
    def run(conn: Conn, invitation: InvitationRow) -> StatusOut:
        lifecycle.require_in_progress(invitation)
        dal.touch(conn, invitation.id)
        return lifecycle.status_of(dal.get_invitation(conn, invitation.id))

    return _with_invitation(flow, token, cid, run, write=True)


def complete(flow: CandidateFlow, token: str, body: CompleteRequest, cid: str) -> StatusOut:
    def run(conn: Conn, invitation: InvitationRow) -> StatusOut:
        if invitation.status == "completed":
            # Completing twice answers the first completion again; no second event.
            return lifecycle.status_of(invitation)
        lifecycle.require_in_progress(invitation)
        if body.reason == "manual":
            missing = lifecycle.missing_required(
                dal.questions(conn, invitation.template_id),
                dal.current_answers(conn, invitation.id),
            )
            if missing:
                raise UnprocessableError(
                    "Required questions are unanswered: " + ", ".join(str(m) for m in missing)
                )
        return lifecycle.status_of(lifecycle.complete(conn, invitation, body.reason, cid))

    return _with_invitation(flow, token, cid, run, write=True)


# ---- uploads -------------------------------------------------------------------------------
def _new_upload(
    flow: CandidateFlow,
    conn: Conn,
    invitation: InvitationRow,
    question_id: uuid.UUID,
    body: UploadRequest,
    *,
    multipart_id: Callable[[str], str | None],
) -> UploadRow:
    lifecycle.require_in_progress(invitation)
    question = _question(conn, invitation, question_id)
    kind, cap = lifecycle.upload_limit(question, body.content_type, body.size_bytes, flow.settings)
    used = dal.attempts_by_question(conn, invitation.id).get(question.id, 0)
    lifecycle.require_attempt_left(question, invitation.template_settings, used)
    upload_id = uuid.uuid4()
    key = str(
        raw_key(invitation.company_id, invitation.id, question.id, upload_id, body.content_type)
    )
    # The row first: the media pipeline finds every object of raw/ by its key in this table.
    upload = dal.insert_upload(
        conn,
        upload_id=upload_id,
        company_id=invitation.company_id,
        invitation_id=invitation.id,
        question_id=question.id,
        object_key=key,
        content_type=body.content_type,
        media_kind=kind,
        max_bytes=cap,
        expires_at=flow.now() + timedelta(seconds=flow.settings.upload_url_ttl_s),
    )
    started = multipart_id(key)
    if started is not None:
        dal.set_multipart_id(conn, upload.id, started)
        upload = upload.model_copy(update={"multipart_upload_id": started})
    dal.touch(conn, invitation.id)
    return upload


def _idempotent_upload[U: BaseModel](
    conn: Conn,
    invitation: InvitationRow,
    intent: UploadIntent,
    key: str | None,
    *,
    create: Callable[[], U],
    model: type[U],
) -> U:
    """A retried upload request with the same Idempotency-Key gets the same upload back (no
    second row, no second multipart upload); the same key for another request is a 409."""
    if key is None:
        return create()
    from shared.dal.idempotency import idempotent  # noqa: PLC0415 - only when a key is given

    replay = idempotent(
        conn, f"upload:{invitation.id}", key, body=intent, status_code=201, run=create
    )
    return model.model_validate(replay.body)


def request_upload(
    flow: CandidateFlow,
    token: str,
    question_id: uuid.UUID,
    body: UploadRequest,
    cid: str,
    *,
    idempotency_key: str | None = None,
) -> PresignedPost:
    def run(conn: Conn, invitation: InvitationRow) -> PresignedPost:
        def create() -> PresignedPost:
            upload = _new_upload(
                flow, conn, invitation, question_id, body, multipart_id=lambda key: None
            )
            url, fields = flow.media().presigned_post(
                upload.object_key,
                upload.content_type,
                upload.max_bytes,
                flow.settings.upload_url_ttl_s,
            )
            return PresignedPost(
                upload_id=upload.id,
                key=upload.object_key,
                url=url,
                fields=fields,
                max_bytes=upload.max_bytes,
                expires_at=upload.expires_at,
            )

        intent = UploadIntent(question_id=question_id, multipart=False, **body.model_dump())
        return _idempotent_upload(
            conn, invitation, intent, idempotency_key, create=create, model=PresignedPost
        )

    return _with_invitation(flow, token, cid, run, write=True)


def start_multipart(
    flow: CandidateFlow,
    token: str,
    question_id: uuid.UUID,
    body: UploadRequest,
    cid: str,
    *,
    idempotency_key: str | None = None,
) -> MultipartStarted:
    storage = flow.media()

    def run(conn: Conn, invitation: InvitationRow) -> MultipartStarted:
        def create() -> MultipartStarted:
            upload = _new_upload(
                flow,
                conn,
                invitation,
                question_id,
                body,
                multipart_id=lambda key: storage.start_multipart(key, body.content_type),
            )
            return MultipartStarted(
                upload_id=upload.id,
                key=upload.object_key,
                max_bytes=upload.max_bytes,
                expires_at=upload.expires_at,
            )

        intent = UploadIntent(question_id=question_id, multipart=True, **body.model_dump())
        return _idempotent_upload(
            conn, invitation, intent, idempotency_key, create=create, model=MultipartStarted
        )

    return _with_invitation(flow, token, cid, run, write=True)


def _own_upload(
    conn: Conn, invitation: InvitationRow, question_id: uuid.UUID, upload_id: uuid.UUID
) -> UploadRow:
    lifecycle.require_in_progress(invitation)
    upload = dal.find_upload(conn, invitation.id, question_id, upload_id)
    if upload is None:
        raise NotFoundError("No such upload for this question.")
    return upload


def part_urls(
    flow: CandidateFlow,
    token: str,
    question_id: uuid.UUID,
    upload_id: uuid.UUID,
    body: PartsRequest,
    *,
    cid: str,
) -> PartUrls:
    storage = flow.media()

    def run(conn: Conn, invitation: InvitationRow) -> PartUrls:
        upload = _own_upload(conn, invitation, question_id, upload_id)
        multipart_id = require_multipart(upload, flow.now())
        ttl = min(
            flow.settings.upload_url_ttl_s,
            max(1, int((upload.expires_at - flow.now()).total_seconds())),
        )
        dal.touch(conn, invitation.id)
        return PartUrls(
            upload_id=upload.id,
            parts=storage.part_urls(upload.object_key, multipart_id, body.part_numbers, ttl),
            expires_at=flow.now() + timedelta(seconds=ttl),
        )

    return _with_invitation(flow, token, cid, run, write=True)


def complete_multipart(
    flow: CandidateFlow,
    token: str,
    question_id: uuid.UUID,
    upload_id: uuid.UUID,
    body: CompleteUploadRequest,
    *,
    cid: str,
) -> UploadCompleted:
    storage = flow.media()

    def run(conn: Conn, invitation: InvitationRow) -> UploadCompleted:
        upload = _own_upload(conn, invitation, question_id, upload_id)
        if upload.multipart_upload_id is None:
            raise ConflictError("This upload is not a multipart upload.")
        found = storage.head(upload.object_key)
        if found is None:  # completing again after success is a replay, not an error
            storage.complete_multipart(upload.object_key, upload.multipart_upload_id, body.parts)
            found = storage.head(upload.object_key)
        try:
            checked = check_object(upload, found)
        except UnprocessableError:
            # Part URLs cannot limit size or type: an object breaking the rules is removed.
            storage.delete(upload.object_key)
            raise
        dal.touch(conn, invitation.id)
        return UploadCompleted(upload_id=upload.id, key=upload.object_key, size_bytes=checked.size)

    return _with_invitation(flow, token, cid, run, write=True)


def abort_upload(
    flow: CandidateFlow, token: str, question_id: uuid.UUID, upload_id: uuid.UUID, cid: str
) -> None:
    storage = flow.media()

    def run(conn: Conn, invitation: InvitationRow) -> None:
        upload = _own_upload(conn, invitation, question_id, upload_id)
        if upload.multipart_upload_id is None:
            raise ConflictError("Only a multipart upload can be aborted.")
        if dal.upload_is_answer(conn, upload.id) or storage.head(upload.object_key) is not None:
            raise ConflictError("This upload is complete; it can no longer be aborted.")
        storage.abort_multipart(upload.object_key, upload.multipart_upload_id)
        dal.delete_upload(conn, upload.id)

    _with_invitation(flow, token, cid, run, write=True)


# ---- answers -------------------------------------------------------------------------------
def _same_answer(current: AnswerRow, body: AnswerRequest) -> bool:
    """A retried submit of the current answer (the same upload, text or options)."""
    if body.upload_id is not None:
        return current.upload_id == body.upload_id
    if body.text is not None:
        return current.kind == "text" and current.text_answer == body.text
    return current.kind == "choice" and sorted(current.selected_option_ids or []) == sorted(
        body.option_ids or []
    )


def _answer_out(
    answer: AnswerRow, question: QuestionRow, invitation: InvitationRow
) -> CandidateAnswer:
    return CandidateAnswer(
        answer_id=answer.id,
        question_id=answer.question_id,
        attempt=answer.attempt,
        kind=answer.kind,
        upload_id=answer.upload_id,
        retakes_left=lifecycle.retakes_left(question, invitation.template_settings, answer.attempt),
        submitted_at=answer.submitted_at,
    )


def submit_answer(
    flow: CandidateFlow, token: str, question_id: uuid.UUID, body: AnswerRequest, cid: str
) -> CandidateAnswer:
    def run(conn: Conn, invitation: InvitationRow) -> CandidateAnswer:
        lifecycle.require_in_progress(invitation)
        question = _question(conn, invitation, question_id)
        current = next(
            (a for a in dal.current_answers(conn, invitation.id) if a.question_id == question.id),
            None,
        )
        if current is not None and _same_answer(current, body):
            return _answer_out(current, question, invitation)
        used = dal.attempts_by_question(conn, invitation.id).get(question.id, 0)
        lifecycle.require_attempt_left(question, invitation.template_settings, used)
        fields = _answer_fields(flow, conn, invitation, question, body)
        answer = dal.insert_answer(
            conn,
            company_id=invitation.company_id,
            invitation_id=invitation.id,
            question_id=question.id,
            attempt=used + 1,
            kind=fields.kind,
            upload=fields.upload,
            media_bytes=fields.media_bytes,
            text=fields.text,
            option_ids=fields.option_ids,
        )
        dal.touch(conn, invitation.id)
        payload = ResponseSubmitted(
            invitation_id=invitation.id,
            question_id=question.id,
            answer_id=answer.id,
            attempt=answer.attempt,
            kind=answer.kind,
            upload_id=answer.upload_id,
        )
        lifecycle.emit(conn, invitation, "response.submitted", payload, cid)
        return _answer_out(answer, question, invitation)

    return _with_invitation(flow, token, cid, run, write=True)


@dataclass(frozen=True, slots=True)
class _AnswerFields:
    kind: Literal["media", "text", "choice"]
    upload: UploadRow | None = None
    media_bytes: int | None = None
    text: str | None = None
    option_ids: list[uuid.UUID] | None = None


def _answer_fields(
    flow: CandidateFlow,
    conn: Conn,
    invitation: InvitationRow,
    question: QuestionRow,
    body: AnswerRequest,
) -> _AnswerFields:
    """The answer's columns for this question's type, or a 422 naming what is wrong."""
    if question.type in {"video", "audio"}:
        if body.upload_id is None:
            raise UnprocessableError(f"body.upload_id: a {question.type} question needs one.")
        upload = dal.find_upload(conn, invitation.id, question.id, body.upload_id)
        if upload is None:
            raise UnprocessableError("body.upload_id: no such upload for this question.")
        if dal.upload_is_answer(conn, upload.id):
            raise ConflictError("This upload already answers a question.")
        found = check_object(upload, flow.media().head(upload.object_key))
        return _AnswerFields("media", upload=upload, media_bytes=found.size)
    if question.type == "text":
        if body.text is None:
            raise UnprocessableError("body.text: a text question needs text.")
        return _AnswerFields("text", text=body.text)
    if body.option_ids is None:
        raise UnprocessableError("body.option_ids: a multiple choice question needs options.")
    known = {o.id for o in question.options or []}
    unknown = [str(o) for o in body.option_ids if o not in known]
    if unknown:
        raise UnprocessableError(f"body.option_ids: not options of this question: {unknown}")
    return _AnswerFields("choice", option_ids=body.option_ids)
