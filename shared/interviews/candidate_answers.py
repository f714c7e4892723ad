"""The candidate's answers: an upload, text or chosen options; retakes; replays."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from shared.billing import public as billing
from shared.dal.sql import Conn
from shared.errors import ConflictError, UnprocessableError
from shared.interviews import candidate_dal as dal
from shared.interviews import lifecycle
from shared.interviews.candidate_link import question_of, with_invitation
from shared.interviews.candidate_models import (
    AnswerRequest,
    CandidateAnswer,
)
from shared.interviews.deps import Deps
from shared.interviews.rows import AnswerRow, InvitationRow, QuestionRow, UploadRow
from shared.interviews.storage import check_object
from shared.models.events.interviews import ResponseSubmitted, ScoringWeights


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
    deps: Deps, token: str, question_id: uuid.UUID, body: AnswerRequest, cid: str
) -> CandidateAnswer:
    def run(conn: Conn, invitation: InvitationRow) -> CandidateAnswer:
        lifecycle.require_in_progress(invitation)
        question = question_of(conn, invitation, question_id)
        current = next(
            (a for a in dal.current_answers(conn, invitation.id) if a.question_id == question.id),
            None,
        )
        if current is not None and _same_answer(current, body):
            return _answer_out(current, question, invitation)
        used = dal.attempts_by_question(conn, invitation.id).get(question.id, 0)
        lifecycle.require_attempt_left(question, invitation.template_settings, used)
        fields = _answer_fields(deps, conn, invitation, question, body)
        answer = dal.insert_answer(
            conn,
            company_id=invitation.company_id,
            invitation_id=invitation.id,
            question_id=question.id,
            attempt=used + 1,
            kind=fields.kind,
            upload=fields.upload,
            media_bytes=fields.media_bytes,
            media_version_id=fields.media_version_id,
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
            question=lifecycle.completed_question(question),
            answer=lifecycle.completed_answer(answer),
            language=invitation.template_settings.language,
            scoring_weights=ScoringWeights.model_validate(invitation.scoring_weights),
            ai_analysis=lifecycle.ai_consented(invitation),
            required_skills=lifecycle.required_skills(conn, invitation.template_id),
        )
        lifecycle.emit(conn, invitation, "response.submitted", payload, cid)
        return _answer_out(answer, question, invitation)

    return with_invitation(deps, token, cid, run, write=True)


@dataclass(frozen=True, slots=True)
class _AnswerFields:
    kind: Literal["media", "text", "choice"]
    upload: UploadRow | None = None
    media_bytes: int | None = None
    media_version_id: str | None = None
    text: str | None = None
    option_ids: list[uuid.UUID] | None = None


def _answer_fields(
    deps: Deps,
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
        storage = deps.media()
        found = check_object(upload, storage.head(upload.object_key))
        # An upload URL writes one object. A second version (the same presigned form posted
        # again) would make "the answer" ambiguous; the pipeline refuses every version but the
        # first, so the candidate starts a new upload instead.
        if found.version_id and storage.version_count(upload.object_key) > 1:
            raise ConflictError(
                "This upload was written more than once; request a new upload for this answer."
            )
        # The company's storage holds what is stored, not what was declared.
        billing.settle_storage(conn, upload.id, found.size)
        # The version is pinned: HR plays it and the pipeline processes it, no later one.
        return _AnswerFields(
            "media", upload=upload, media_bytes=found.size, media_version_id=found.version_id
        )
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
