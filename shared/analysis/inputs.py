"""What the model is given for one answer: the prompt builder's input, built in one place.

The workflow builds it to call the engine; HR's explanation builds it again, the same way, to
show what the model saw. ``AnswerInput`` holds the question, its rubric, the answer's language,
the transcript (or written text) and the names of the template's required skills, and nothing
else: no name, email or other personal data
of the candidate's can reach a prompt, because the builder has no field to carry it.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from shared.analysis import dal, scoring
from shared.analysis.models import AnswerInput, AnswerOutcome, SkillAsked, Transcript
from shared.analysis.transcripts import TranscriptSource
from shared.dal.sql import Conn
from shared.models.events.interviews import CompletedAnswer, CompletedQuestion, RequiredSkill


def unscorable(reason: str) -> AnswerOutcome:
    return AnswerOutcome(unscorable=True, unscorable_reason=reason[:1000])


def asked(skills: Sequence[RequiredSkill]) -> list[SkillAsked]:
    """The template's required skills as the engine is given them (their names reach the
    prompt; a skill name is the taxonomy's, never the candidate's)."""
    return [SkillAsked(skill_id=s.skill_id, name=s.name) for s in skills]


def prepare(  # noqa: PLR0917 - the answer and where it belongs
    conn: Conn,
    transcripts: TranscriptSource,
    answer: CompletedAnswer,
    question: CompletedQuestion,
    invitation_id: UUID,
    language: str | None,
    skills: Sequence[RequiredSkill] = (),
) -> tuple[AnswerOutcome, float | None, AnswerInput | None]:
    """(outcome, score) when no model is needed (a choice is scored exactly; media that failed
    or has no transcript is unscorable); else the model's input."""
    if answer.kind == "choice" or question.type == "multiple_choice":
        correct = [o.id for o in question.options or [] if o.correct]
        score = scoring.choice_score(answer.selected_option_ids or [], correct)
        return AnswerOutcome(), score, None
    if answer.kind == "media":
        if answer.upload_id is None:
            return unscorable("the answer has no media"), None, None
        status, reason = dal.media_outcomes(conn, invitation_id).get(
            answer.upload_id, ("missing", "the media was never processed")
        )
        if status not in ("ready", "transcribed"):
            return unscorable(reason or "the media could not be processed"), None, None
        transcript = transcripts(conn, answer.upload_id)
        if transcript is None:
            return unscorable("no transcript was found for the media"), None, None
    else:
        transcript = Transcript(text=answer.text or "", language=language)
    subject = AnswerInput(
        answer_id=answer.answer_id,
        question_id=question.question_id,
        position=question.position,
        question=question.text,
        rubric=question.rubric,
        language=transcript.language or language,
        transcript=transcript,
        skills=asked(skills),
    )
    return AnswerOutcome(), None, subject
