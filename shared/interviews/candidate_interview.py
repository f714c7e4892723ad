"""The candidate reads the interview: settings, questions in order, progress."""

from __future__ import annotations

import uuid

from shared.dal.sql import Conn
from shared.identity import public as identity
from shared.interviews import candidate_dal as dal
from shared.interviews import lifecycle
from shared.interviews.candidate_link import with_invitation
from shared.interviews.candidate_models import (
    CandidateCompany,
    CandidateInterview,
    CandidateInvitation,
    CandidateOption,
    CandidateQuestion,
    CandidateTemplate,
    Consent,
    QuestionProgress,
)
from shared.interviews.deps import Deps
from shared.interviews.rows import InvitationRow, QuestionRow


def interview_view(
    invitation: InvitationRow,
    questions: list[QuestionRow],
    attempts: dict[uuid.UUID, int],
    company_name: str | None = None,
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
            consent=Consent.of(invitation),
        ),
        company=CandidateCompany(name=company_name) if company_name else None,
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


def get_interview(deps: Deps, token: str, cid: str) -> CandidateInterview:
    def read(conn: Conn, invitation: InvitationRow) -> CandidateInterview:
        return interview_view(
            invitation,
            dal.questions(conn, invitation.template_id),
            dal.attempts_by_question(conn, invitation.id),
            identity.company_name(conn, invitation.company_id),
        )

    return with_invitation(deps, token, cid, read, write=False)
