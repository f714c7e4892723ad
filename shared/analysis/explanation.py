"""The explanation HR reads with every AI result: what the model saw per answer (the prompt
builder's exact inputs, rebuilt by the same code as the workflow's, shared.analysis.inputs),
which engine, model and prompt version read it, and the rules of shared.analysis.scoring that
turned the scores into the recommendation. A human-only review says why there is no score."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.analysis import dal, inputs, scoring
from shared.analysis.models import (
    GROQ_LABEL,
    OFFLINE_LABEL,
    AnswerExplanation,
    Explanation,
    ModelInput,
    ScoringRules,
    Weights,
)
from shared.analysis.transcripts import TranscriptSource
from shared.dal.sql import Conn
from shared.models.events.interviews import InvitationCompleted

PERSONAL_DATA = (
    "The prompt builder admits only the question, its rubric, the answer's language, the"
    " transcript or written text and the names of the template's required skills"
    " (model_input): never the candidate's name, email or any other personal data."
)
SUMMARY_INPUT = (
    "The summary call received, per answer, the question, the answer's kind, its score, each"
    " criterion's score, justification and verified quotes, and whether it was flagged; no"
    " personal data."
)
HUMAN_REVIEW = (
    "The candidate declined AI analysis: no AI model read the answers, so there is no score;"
    " HR reviews the recordings, transcripts and written answers alone."
)
ANSWER_SCORE = (
    "An answer's score is the weighted mean of its four criteria (each 0-100) with these"
    " weights; a multiple-choice answer scores 100 when exactly the correct options are chosen,"
    " else 0."
)
OVERALL = (
    "The overall score is the mean of the scored answers (0-100); a required question left"
    " unanswered counts 0; an answer that could not be scored through no fault of the candidate"
    " (failed media, nothing said, unverifiable evidence) is left out."
)
OVERRIDES = [
    "Any red flag in the summary makes the recommendation reject.",
    "An LLM verdict more conservative than the threshold's recommendation wins (the offline"
    " engine gives no verdict).",
]


def rules(weights: Weights, applied: str | None) -> ScoringRules:
    hire, consider = scoring.HIRE_AT, scoring.CONSIDER_AT
    return ScoringRules(
        weights={c: round(v, 4) for c, v in scoring.normalised(weights).items()},
        answer_score=ANSWER_SCORE,
        overall=OVERALL,
        thresholds={
            "hire": f">= {hire:g}",
            "consider": f"{consider:g}-{hire - 1:g}",
            "reject": f"< {consider:g}",
        },
        overrides=OVERRIDES,
        applied=applied,
    )


def _label(engine: str | None) -> str | None:
    return {"groq": GROQ_LABEL, "offline": OFFLINE_LABEL}.get(engine or "")


def explain(
    conn: Conn,
    row: dict[str, Any],
    results: Sequence[dal.ResultRow],
    transcripts: TranscriptSource,
) -> Explanation:
    """``row`` is the analysis (with its weights and the completion it analyses)."""
    if row["status"] == "human_review":
        return Explanation(personal_data=PERSONAL_DATA, no_score_reason=HUMAN_REVIEW)
    engine = row["engine"]
    applied = row["reason"] if row["status"] == "completed" else None
    base = Explanation(
        engine=engine,
        engine_label=_label(engine),
        model=row["model"],
        prompt_version=row["prompt_version"],
        personal_data=PERSONAL_DATA,
        summary_input=SUMMARY_INPUT,
        rules=rules(Weights(**(row.get("weights") or {})), applied),
    )
    if not row.get("completed"):
        return base
    completed = InvitationCompleted.model_validate(row["completed"])
    questions = {q.question_id: q for q in completed.questions}
    by_answer = {r.answer_id: r for r in results}
    answers: list[AnswerExplanation] = []
    for answer in completed.answers:
        question = questions[answer.question_id]
        outcome, _, subject = inputs.prepare(
            conn, transcripts, answer, question, completed.invitation_id, completed.language,
            completed.required_skills,
        )  # fmt: skip
        result = by_answer.get(answer.answer_id)
        if subject is None:
            exact = answer.kind == "choice" or question.type == "multiple_choice"
            answers.append(
                AnswerExplanation(
                    answer_id=answer.answer_id,
                    question_id=question.question_id,
                    position=question.position,
                    kind=answer.kind,
                    method="exact_choice" if exact else "not_scored",
                    note=(
                        "Scored exactly by our code against the correct options; no model."
                        if exact
                        else f"Nothing was sent to a model: {outcome.unscorable_reason}."
                    ),
                )
            )
            continue
        if result is not None and result.unscorable:
            note = f"Not scored: {result.unscorable_reason}."
        elif result is not None and result.flagged:
            note = f"Scored on the four criteria, and flagged for HR: {result.flag_reason}."
        else:
            note = (
                "Scored on relevance, completeness, clarity and depth; every quote (and each"
                " required skill's evidence) is checked to occur verbatim in the transcript."
            )
        answers.append(
            AnswerExplanation(
                answer_id=answer.answer_id,
                question_id=question.question_id,
                position=question.position,
                kind=answer.kind,
                method="engine",
                model_input=ModelInput(
                    question=subject.question,
                    rubric=subject.rubric,
                    language=subject.language,
                    transcript=subject.transcript.text,
                    skills=[skill.name for skill in subject.skills],
                ),
                note=note,
            )
        )
    answers.sort(key=lambda a: (a.position, str(a.answer_id)))
    return base.model_copy(update={"answers": answers})
