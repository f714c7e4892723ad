"""What HR reads: one invitation's analysis, scoped to the caller's company in SQL."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from shared.analysis import dal, explanation
from shared.analysis.explanation import HUMAN_REVIEW, PERSONAL_DATA
from shared.analysis.models import (
    GROQ_LABEL,
    OFFLINE_LABEL,
    AnalysisView,
    AnswerProgress,
    AnswerResultView,
    CriterionResult,
    Explanation,
    SkillEvidence,
    SkillEvidenceAt,
    SkillFinding,
)
from shared.analysis.transcripts import TranscriptSource, media_transcript
from shared.analysis.trigger import pending_uploads
from shared.dal.sql import Conn
from shared.models.events.interviews import InvitationCompleted

WAITING_FOR_COMPLETION = (
    "The interview is in progress: each answer is assessed as soon as it is final; the summary"
    " and the overall score follow once the candidate completes it."
)
WAITING_FOR_HUMAN_REVIEW = (
    "The candidate declined AI analysis: once the media is processed, the interview is ready"
    " for a human-only review (no AI model reads the answers)."
)


def analysis_for_invitation(
    conn: Conn,
    company_id: UUID,
    invitation_id: UUID,
    *,
    explain: bool = False,
    transcripts: TranscriptSource = media_transcript,
) -> AnalysisView | None:
    """The analysis (or that it is waiting for media), or None when this company has none.
    ``explain``: with the explanation (what the model saw, the engine, the rules), which reads
    every answer's transcript again."""
    row = dal.analysis_for_company(conn, company_id, invitation_id)
    if row is None:
        trigger = dal.trigger_for_company(conn, company_id, invitation_id)
        if trigger is None:
            return None
        early = dal.assessments_of(conn, invitation_id)
        if trigger.completed is None:
            if not early:
                return None
            # Still interviewing: the answers submitted so far are assessed as they arrive.
            return AnalysisView(
                invitation_id=invitation_id,
                status="waiting",
                reason=WAITING_FOR_COMPLETION,
                progress=progress(early, []),
            )
        completed = InvitationCompleted.model_validate(trigger.completed)
        waiting = pending_uploads(completed, dal.media_outcomes(conn, invitation_id))
        return AnalysisView(
            invitation_id=invitation_id,
            status="waiting",
            reason=None if completed.ai_analysis else WAITING_FOR_HUMAN_REVIEW,
            waiting_for_uploads=waiting,
            progress=progress(early, []) if completed.ai_analysis else [],
            explanation=(
                Explanation(personal_data=PERSONAL_DATA, no_score_reason=HUMAN_REVIEW)
                if explain and not completed.ai_analysis
                else None
            ),
        )
    results = dal.answer_results(conn, row["id"], row["attempt"])
    early = dal.assessments_of(conn, invitation_id) if row["status"] != "human_review" else []
    engine = row["engine"]
    return AnalysisView(
        analysis_id=row["id"],
        invitation_id=invitation_id,
        status=row["status"],
        reason=row["reason"],
        attempt=row["attempt"],
        engine=engine,
        engine_label={"groq": GROQ_LABEL, "offline": OFFLINE_LABEL}.get(engine or ""),
        model=row["model"],
        prompt_version=row["prompt_version"],
        overall=float(row["overall"]) if row["overall"] is not None else None,
        recommendation=row["recommendation"],
        llm_verdict=row["llm_verdict"],
        summary=row["summary"],
        strengths=row["strengths"],
        weaknesses=row["weaknesses"],
        red_flags=row["red_flags"],
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        llm_calls=row["llm_calls"],
        latency_ms=row["latency_ms"],
        cost_usd=float(row["cost_usd"]),
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        progress=progress(early, results),
        answers=[
            AnswerResultView(
                answer_id=r.answer_id,
                question_id=r.question_id,
                position=r.position,
                kind=r.kind,
                score=float(r.score) if r.score is not None and not r.unscorable else None,
                criteria=(
                    {c: CriterionResult.model_validate(v) for c, v in r.criteria.items()}
                    if r.criteria
                    else None
                ),
                unscorable=r.unscorable,
                unscorable_reason=r.unscorable_reason,
                flagged=r.flagged,
                flag_reason=r.flag_reason,
                skills_evidenced=[SkillEvidence.model_validate(e) for e in r.skills_evidenced],
            )
            for r in results
        ],
        skills=skill_findings(row.get("completed"), results),
        explanation=explanation.explain(conn, row, results, transcripts) if explain else None,
    )


def skill_findings(
    completed: dict[str, Any] | None, results: list[dal.ResultRow]
) -> list[SkillFinding]:
    """Per required skill of the template (as the interview completed with them), whether the
    answers evidence it and where: the answers' verified quotes, in the questions' order."""
    if not completed:
        return []
    skills = InvitationCompleted.model_validate(completed).required_skills
    found: dict[UUID, list[SkillEvidenceAt]] = {s.skill_id: [] for s in skills}
    for r in results:
        for item in r.skills_evidenced:
            e = SkillEvidence.model_validate(item)
            if e.skill_id in found:
                found[e.skill_id].append(
                    SkillEvidenceAt(answer_id=r.answer_id, position=r.position, quote=e.quote)
                )
    return [
        SkillFinding(
            skill_id=s.skill_id,
            name=s.name,
            evidenced=bool(found[s.skill_id]),
            evidence=found[s.skill_id],
        )
        for s in skills
    ]


_PROGRESS: dict[str, Literal["waiting", "analysing", "scored"]] = {
    "waiting": "waiting",
    "queued": "waiting",
    "analysing": "analysing",
    "scored": "scored",
}


def progress(early: list[dal.AssessmentRow], results: list[dal.ResultRow]) -> list[AnswerProgress]:
    """Per answer, in the questions' order: the attempt's result when it has one, else the
    current answer version's early assessment (superseded versions are left out)."""
    done = {r.answer_id: r for r in results}
    items: list[AnswerProgress] = [
        AnswerProgress(
            answer_id=r.answer_id,
            question_id=r.question_id,
            position=r.position,
            kind=r.kind,
            status="scored",
            score=float(r.score) if r.score is not None and not r.unscorable else None,
        )
        for r in results
    ]
    for a in early:
        if a.status == "superseded" or a.answer_id in done:
            continue
        scored = a.status == "scored"
        items.append(
            AnswerProgress(
                answer_id=a.answer_id,
                question_id=a.question_id,
                position=int(a.subject.get("question", {}).get("position") or 1),
                kind=a.kind,
                status=_PROGRESS[a.status],
                score=float(a.score) if scored and a.score is not None else None,
                scored_at=a.scored_at if scored else None,
            )
        )
    return sorted(items, key=lambda p: (p.position, str(p.answer_id)))
