"""An invitation's lifecycle from the candidate's side: the rules, completion and expiry.

`pending -> in_progress -> completed`, `pending | in_progress -> expired`. Completion and expiry
are used by the candidate's requests and by the scheduled sweep alike: each changes the row only
from the states it may leave (the UPDATE says so), and emits its event in the same transaction.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from shared.dal.sql import Conn
from shared.errors import ConflictError, UnprocessableError
from shared.events import enqueue, new_event
from shared.interviews import candidate_dal as dal
from shared.interviews.candidate_models import AUDIO_TYPES, VIDEO_TYPES, Consent, StatusOut
from shared.interviews.rows import (
    AnswerRow,
    InvitationRow,
    MediaKind,
    QuestionRow,
    TemplateSettingsRow,
)
from shared.interviews.settings import CandidateSettings
from shared.interviews.template_skills import attached_skills
from shared.models.events.interviews import (
    ChoiceOption,
    CompletedAnswer,
    CompletedQuestion,
    InvitationCompleted,
    InvitationExpired,
    RequiredSkill,
    ScoringWeights,
)

EVENT_SOURCE = "interviews"
Reason = Literal["manual", "early_finish", "auto_timeout"]


# ---- rules (pure) --------------------------------------------------------------------------
def is_overdue(invitation: InvitationRow, now: datetime) -> bool:
    return invitation.status in {"pending", "in_progress"} and invitation.expires_at <= now


def is_idle(invitation: InvitationRow, now: datetime, idle_s: int) -> bool:
    last = invitation.last_activity_at or invitation.started_at
    return (
        invitation.status == "in_progress"
        and last is not None
        and now - last >= timedelta(seconds=idle_s)
    )


def time_limit_ends_at(invitation: InvitationRow) -> datetime | None:
    """When the template's total time limit runs out for a started interview (None: no limit)."""
    limit = invitation.template_settings.total_time_limit_s
    if not limit or invitation.started_at is None:
        return None
    return invitation.started_at + timedelta(seconds=limit)


def is_out_of_time(invitation: InvitationRow, now: datetime, grace_s: int) -> bool:
    ends_at = time_limit_ends_at(invitation)
    return (
        invitation.status == "in_progress"
        and ends_at is not None
        and now >= ends_at + timedelta(seconds=grace_s)
    )


def times_out(invitation: InvitationRow, now: datetime, settings: CandidateSettings) -> bool:
    """Auto-completion is due: idle too long, or past the total time limit and its grace."""
    return is_idle(invitation, now, settings.idle_timeout_s) or is_out_of_time(
        invitation, now, settings.time_limit_grace_s
    )


def require_in_progress(invitation: InvitationRow) -> None:
    if invitation.status == "completed":
        raise ConflictError("The interview is already completed.")
    if invitation.status != "in_progress":
        raise ConflictError("Start the interview first.")


def allowed_attempts(question: QuestionRow, settings: TemplateSettingsRow) -> int:
    """One attempt, plus the question's retakes when the template allows retakes."""
    return 1 + (question.max_retakes if settings.retakes_allowed else 0)


def retakes_left(question: QuestionRow, settings: TemplateSettingsRow, used: int) -> int:
    return max(0, allowed_attempts(question, settings) - max(used, 1))


def require_attempt_left(question: QuestionRow, settings: TemplateSettingsRow, used: int) -> None:
    if used >= allowed_attempts(question, settings):
        raise ConflictError("No retakes are left for this question.")


def require_upload_left(
    question: QuestionRow,
    template: TemplateSettingsRow,
    uploads: int,
    settings: CandidateSettings,
) -> None:
    """At most ``uploads_per_attempt`` upload URLs for each attempt the question allows."""
    cap = settings.uploads_per_attempt * allowed_attempts(question, template)
    if uploads >= cap:
        raise ConflictError(
            f"This question has had {uploads} upload URLs, its limit; submit one of them."
        )


def upload_limit(
    question: QuestionRow, content_type: str, size_bytes: int, settings: CandidateSettings
) -> tuple[MediaKind, int]:
    """The media kind and byte cap of an upload for this question, or a 422 naming the field."""
    if question.type == "video":
        kind: MediaKind = "video"
        allowed, cap = VIDEO_TYPES, settings.video_max_bytes
    elif question.type == "audio":
        kind, allowed, cap = "audio", AUDIO_TYPES, settings.audio_max_bytes
    else:
        raise UnprocessableError(f"This is a {question.type} question: it takes no upload.")
    if content_type not in allowed:
        raise UnprocessableError(
            f"body.content_type: a {question.type} question takes "
            f"{', '.join(sorted(allowed))}, not {content_type}."
        )
    if size_bytes > cap:
        raise UnprocessableError(
            f"body.size_bytes: a {question.type} answer is at most {cap} bytes."
        )
    return kind, cap


def missing_required(questions: list[QuestionRow], answers: list[AnswerRow]) -> list[uuid.UUID]:
    answered = {answer.question_id for answer in answers if answer.is_current}
    return [q.id for q in questions if q.required and q.id not in answered]


def candidate_order(
    invitation_id: uuid.UUID, questions: list[QuestionRow], randomize: bool
) -> list[QuestionRow]:
    """The template's order, or a shuffle that is stable for one invitation (resume-safe)."""
    if not randomize:
        return sorted(questions, key=lambda q: q.position)

    def rank(question: QuestionRow) -> bytes:
        return hashlib.sha256(invitation_id.bytes + question.id.bytes).digest()

    return sorted(questions, key=rank)


def required_skills(conn: Conn, template_id: uuid.UUID) -> list[RequiredSkill]:
    """The template's required skills (ids and names), for the analysis to look for."""
    return [RequiredSkill(skill_id=r.id, name=r.name) for r in attached_skills(conn, template_id)]


def completed_payload(  # noqa: PLR0917 - the invitation and what it completed with
    invitation: InvitationRow,
    questions: list[QuestionRow],
    answers: list[AnswerRow],
    reason: Reason,
    completed_at: datetime,
    skills: list[RequiredSkill] | None = None,
) -> InvitationCompleted:
    """What the analysis needs, so it never reads this schema: the questions with type, rubric
    and options (with the correct ones), and the current answers with their media or text."""
    return InvitationCompleted(
        invitation_id=invitation.id,
        template_id=invitation.template_id,
        reason=reason,
        completed_at=completed_at,
        language=invitation.template_settings.language,
        scoring_weights=ScoringWeights.model_validate(invitation.scoring_weights),
        ai_analysis=ai_consented(invitation),
        required_skills=skills or [],
        questions=[completed_question(q) for q in sorted(questions, key=lambda q: q.position)],
        answers=[completed_answer(a) for a in answers if a.is_current],
    )


def completed_question(q: QuestionRow) -> CompletedQuestion:
    """A question as the analysis reads it: type, text, rubric and options (the correct ones)."""
    return CompletedQuestion(
        question_id=q.id,
        position=q.position,
        type=q.type,
        text=q.text,
        rubric=q.rubric,
        time_limit_s=q.time_limit_s,
        required=q.required,
        options=(
            [ChoiceOption(id=o.id, text=o.text, correct=o.correct) for o in q.options]
            if q.options is not None
            else None
        ),
    )


def completed_answer(a: AnswerRow) -> CompletedAnswer:
    """An answer as the analysis reads it: its media, text or chosen options."""
    return CompletedAnswer(
        answer_id=a.id,
        question_id=a.question_id,
        attempt=a.attempt,
        kind=a.kind,
        upload_id=a.upload_id,
        media_key=a.media_key,
        text=a.text_answer,
        selected_option_ids=a.selected_option_ids,
    )


def ai_consented(invitation: InvitationRow) -> bool:
    """Only an explicit "no" makes the review human-only (an interview cannot be completed
    without having started, and a start records the choice)."""
    return invitation.ai_consent is not False


def status_of(invitation: InvitationRow) -> StatusOut:
    return StatusOut(
        invitation_id=invitation.id,
        status=invitation.status,
        started_at=invitation.started_at,
        last_activity_at=invitation.last_activity_at,
        completed_at=invitation.completed_at,
        completion_reason=invitation.completion_reason,
        consent=Consent.of(invitation),
    )


# ---- transitions (inside the caller's transaction, the invitation row locked) ---------------
def emit(
    conn: Conn, invitation: InvitationRow, event_type: str, payload: BaseModel, cid: str
) -> None:
    enqueue(
        conn,
        new_event(
            event_type,
            payload,
            source=EVENT_SOURCE,
            correlation_id=cid,
            tenant_id=invitation.company_id,
        ),
    )


def complete(conn: Conn, invitation: InvitationRow, reason: Reason, cid: str) -> InvitationRow:
    """in_progress -> completed, with `invitation.completed` carrying the current answers."""
    dal.mark_completed(conn, invitation.id, reason)
    done = dal.get_invitation(conn, invitation.id)
    if done.status != "completed" or done.completed_at is None:
        raise ConflictError("The interview cannot be completed from its current state.")
    payload = completed_payload(
        done,
        dal.questions(conn, done.template_id),
        dal.current_answers(conn, done.id),
        reason,
        done.completed_at,
        required_skills(conn, done.template_id),
    )
    emit(conn, done, "invitation.completed", payload, cid)
    return done


def expire(conn: Conn, invitation: InvitationRow, cid: str) -> None:
    """pending | in_progress -> expired, with `invitation.expired`."""
    if invitation.status not in {"pending", "in_progress"}:
        return
    previous: Literal["pending", "in_progress"] = (
        "pending" if invitation.status == "pending" else "in_progress"
    )
    dal.mark_expired(conn, invitation.id)
    payload = InvitationExpired(
        invitation_id=invitation.id, template_id=invitation.template_id, previous_status=previous
    )
    emit(conn, invitation, "invitation.expired", payload, cid)
