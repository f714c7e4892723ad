"""The candidate's uploads: presigned POST, multipart (initiate, part URLs, complete, abort)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from pydantic import BaseModel

from shared.billing import public as billing
from shared.dal.sql import Conn
from shared.errors import ConflictError, NotFoundError, UnprocessableError
from shared.interviews import candidate_dal as dal
from shared.interviews import lifecycle
from shared.interviews.candidate_link import question_of, with_invitation
from shared.interviews.candidate_models import (
    CompleteUploadRequest,
    MultipartStarted,
    PartsRequest,
    PartUrls,
    PresignedPost,
    UploadCompleted,
    UploadIntent,
    UploadRequest,
)
from shared.interviews.deps import Deps
from shared.interviews.rows import InvitationRow, UploadRow
from shared.interviews.storage import check_object, require_multipart
from shared.media.public import raw_key


def _new_upload(
    deps: Deps,
    conn: Conn,
    invitation: InvitationRow,
    question_id: uuid.UUID,
    body: UploadRequest,
    *,
    multipart_id: Callable[[str], str | None],
) -> UploadRow:
    lifecycle.require_in_progress(invitation)
    question = question_of(conn, invitation, question_id)
    kind, cap = lifecycle.upload_limit(question, body.content_type, body.size_bytes, deps.settings)
    used = dal.attempts_by_question(conn, invitation.id).get(question.id, 0)
    lifecycle.require_attempt_left(question, invitation.template_settings, used)
    # Every upload costs a transcode and a transcription: a few URLs per attempt, no more.
    lifecycle.require_upload_left(
        question,
        invitation.template_settings,
        dal.count_uploads(conn, invitation.id, question.id),
        deps.settings,
    )
    # The company's storage: the declared size is taken when the URL is handed out, held for
    # the invitation (its media's erasure gives it back). S3 holds the object to the kind's
    # cap, not to the declared size: the answer settles the hold to the stored size.
    upload_id = uuid.uuid4()
    billing.reserve_storage(conn, invitation.company_id, invitation.id, upload_id, body.size_bytes)
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
        expires_at=deps.now() + timedelta(seconds=deps.settings.upload_url_ttl_s),
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
    deps: Deps,
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
                deps, conn, invitation, question_id, body, multipart_id=lambda key: None
            )
            url, fields = deps.media().presigned_post(
                upload.object_key,
                upload.content_type,
                upload.max_bytes,
                deps.settings.upload_url_ttl_s,
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

    return with_invitation(deps, token, cid, run, write=True)


def start_multipart(
    deps: Deps,
    token: str,
    question_id: uuid.UUID,
    body: UploadRequest,
    cid: str,
    *,
    idempotency_key: str | None = None,
) -> MultipartStarted:
    storage = deps.media()

    def run(conn: Conn, invitation: InvitationRow) -> MultipartStarted:
        def create() -> MultipartStarted:
            upload = _new_upload(
                deps,
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

    return with_invitation(deps, token, cid, run, write=True)


def _own_upload(
    conn: Conn, invitation: InvitationRow, question_id: uuid.UUID, upload_id: uuid.UUID
) -> UploadRow:
    lifecycle.require_in_progress(invitation)
    upload = dal.find_upload(conn, invitation.id, question_id, upload_id)
    if upload is None:
        raise NotFoundError("No such upload for this question.")
    return upload


def part_urls(
    deps: Deps,
    token: str,
    question_id: uuid.UUID,
    upload_id: uuid.UUID,
    body: PartsRequest,
    *,
    cid: str,
) -> PartUrls:
    storage = deps.media()

    def run(conn: Conn, invitation: InvitationRow) -> PartUrls:
        upload = _own_upload(conn, invitation, question_id, upload_id)
        multipart_id = require_multipart(upload, deps.now())
        ttl = min(
            deps.settings.upload_url_ttl_s,
            max(1, int((upload.expires_at - deps.now()).total_seconds())),
        )
        dal.touch(conn, invitation.id)
        return PartUrls(
            upload_id=upload.id,
            parts=storage.part_urls(upload.object_key, multipart_id, body.part_numbers, ttl),
            expires_at=deps.now() + timedelta(seconds=ttl),
        )

    return with_invitation(deps, token, cid, run, write=True)


def complete_multipart(
    deps: Deps,
    token: str,
    question_id: uuid.UUID,
    upload_id: uuid.UUID,
    body: CompleteUploadRequest,
    *,
    cid: str,
) -> UploadCompleted:
    storage = deps.media()

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
            # Part URLs cannot limit size or type: an object breaking the rules is removed
            # (this very version: on a versioned bucket a plain delete only hides it).
            assert found is not None
            storage.delete(upload.object_key, found.version_id)
            raise
        dal.touch(conn, invitation.id)
        return UploadCompleted(upload_id=upload.id, key=upload.object_key, size_bytes=checked.size)

    return with_invitation(deps, token, cid, run, write=True)


def abort_upload(
    deps: Deps, token: str, question_id: uuid.UUID, upload_id: uuid.UUID, cid: str
) -> None:
    storage = deps.media()

    def run(conn: Conn, invitation: InvitationRow) -> None:
        upload = _own_upload(conn, invitation, question_id, upload_id)
        if upload.multipart_upload_id is None:
            raise ConflictError("Only a multipart upload can be aborted.")
        if dal.upload_is_answer(conn, upload.id) or storage.head(upload.object_key) is not None:
            raise ConflictError("This upload is complete; it can no longer be aborted.")
        storage.abort_multipart(upload.object_key, upload.multipart_upload_id)
        dal.delete_upload(conn, upload.id)
        billing.release_upload_storage(conn, upload.id)

    with_invitation(deps, token, cid, run, write=True)
