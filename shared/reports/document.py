"""What a candidate's PDF shows, gathered from the contexts that own it (through their public
modules): the interview and HR's review (interviews), the AI result (analysis), the company and
the reviewers' names (identity)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from shared.analysis import public as analysis
from shared.dal.sql import Conn
from shared.identity import public as identity
from shared.interviews import public as interviews
from shared.reports.errors import ReportGenerationFailed
from shared.reports.pdf import (
    CRITERIA,
    AnswerSection,
    CandidateReport,
    Criterion,
    Decision,
    Quote,
    Review,
)


def _person(conn: Conn, user_id: UUID, names: dict[UUID, str]) -> str:
    if user_id not in names:
        contact = identity.user_contact(conn, user_id)
        names[user_id] = (contact.first_name or contact.email) if contact else "a former user"
    return names[user_id]


def _engine(view: analysis.AnalysisView) -> str | None:
    if view.engine is None:
        return None
    label = view.engine_label or view.engine
    if view.engine == "groq":
        return f"{label}: model {view.model}, prompt {view.prompt_version}"
    return label


def skill_lines(view: analysis.AnalysisView) -> list[str]:
    """Per required skill: where the answers evidence it (with the first quote), or not."""
    lines = []
    for skill in view.skills:
        if not skill.evidenced:
            lines.append(f"{skill.name}: not evidenced in the answers")
            continue
        where = ", ".join(str(e.position) for e in skill.evidence)
        quote = next((e.quote.text for e in skill.evidence if e.quote is not None), None)
        said = f": “{quote}”" if quote else ""
        lines.append(f"{skill.name}: evidenced in question {where}{said}")
    return lines


def candidate_report(
    conn: Conn, company_id: UUID, invitation_id: UUID, *, revision: int, now: dt.datetime
) -> CandidateReport:
    source = interviews.report_source(conn, company_id, invitation_id)
    if source is None:
        raise ReportGenerationFailed("The invitation no longer exists.")
    view = analysis.analysis_for_invitation(conn, company_id, invitation_id)
    names: dict[UUID, str] = {}
    questions = {q.question_id: q for q in source.questions}
    results = {a.question_id: a for a in (view.answers if view else [])}
    reviews: dict[UUID, list[Review]] = {}
    for review in source.reviews:
        reviews.setdefault(review.answer_id, []).append(
            Review(_person(conn, review.reviewer_id, names), review.rating, review.comment)
        )
    sections: list[AnswerSection] = []
    for answer in source.answers:
        question = questions.get(answer.question_id)
        if question is None:
            continue
        result = results.get(answer.question_id)
        criteria: list[Criterion] = []
        note = None
        if result is not None:
            for name in CRITERIA:
                c = (result.criteria or {}).get(name)  # type: ignore[call-overload]
                if c is not None:
                    criteria.append(
                        Criterion(
                            name,
                            c.score,
                            c.justification,
                            [Quote(q.text, q.start, q.end) for q in c.quotes],
                        )
                    )
            if result.unscorable:
                note = f"Not scored: {result.unscorable_reason or 'unscorable'}"
            elif result.flagged:
                note = f"Flagged for HR: {result.flag_reason or 'see the answer'}"
        sections.append(
            AnswerSection(
                position=question.position,
                question=question.text,
                kind=answer.kind,
                score=result.score if result else None,
                criteria=criteria,
                note=note,
                reviews=reviews.get(answer.answer_id, []),
            )
        )
    sections.sort(key=lambda s: s.position)
    decision = None
    if source.decision is not None:
        d = source.decision
        decision = Decision(d.decision, d.note, _person(conn, d.decided_by, names), d.decided_at)
    return CandidateReport(
        candidate_name=source.candidate_name,
        candidate_email=source.candidate_email,
        company=identity.company_name(conn, company_id) or "-",
        interview=source.template_title,
        status=source.status,
        invited_at=source.invited_at,
        started_at=source.started_at,
        completed_at=source.completed_at,
        generated_at=now,
        analysis_status=view.status if view else "waiting",
        overall=view.overall if view else None,
        recommendation=view.recommendation if view else None,
        rule=view.reason if view and view.status == "completed" else None,
        engine=_engine(view) if view else None,
        summary=view.summary if view else None,
        strengths=list(view.strengths) if view else [],
        weaknesses=list(view.weaknesses) if view else [],
        red_flags=list(view.red_flags) if view else [],
        answers=sections,
        decision=decision,
        revision=revision,
        skills=skill_lines(view) if view and view.status == "completed" else [],
    )
