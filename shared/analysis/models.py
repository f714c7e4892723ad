"""Models of the analysis, one per boundary: what the LLM must answer (validated), what the
engines return, the rows we store, and what HR reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shared.models.base import Model

Criterion = Literal["relevance", "completeness", "clarity", "depth"]
CRITERIA: tuple[Criterion, ...] = ("relevance", "completeness", "clarity", "depth")
Recommendation = Literal["hire", "consider", "reject"]
EngineName = Literal["groq", "offline"]
AnalysisStatus = Literal["running", "completed", "failed"]
Score = Annotated[int, Field(ge=0, le=100)]
ShortText = Annotated[str, Field(min_length=1, max_length=1000)]
Point = Annotated[str, Field(min_length=1, max_length=500)]
QuoteText = Annotated[str, Field(min_length=1, max_length=500)]

OFFLINE_LABEL = (
    "Offline heuristic baseline (word overlap, length and structure); not an LLM. "
    "Set GROQ_API_KEY for the AI analysis."
)
GROQ_LABEL = "LLM analysis (Groq chat completions, JSON mode)"


class _Frozen(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---- what the LLM must return (validated with pydantic; anything else is malformed) --------


class LlmCriterion(Model):
    model_config = ConfigDict(extra="ignore")

    score: Score
    justification: ShortText
    quotes: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=500)]], Field(max_length=5)
    ]


class LlmSkillEvidence(Model):
    model_config = ConfigDict(extra="ignore")

    skill: Annotated[str, Field(min_length=1, max_length=100)]
    quote: QuoteText


class LlmAnswerAssessment(Model):
    model_config = ConfigDict(extra="ignore")

    relevance: LlmCriterion
    completeness: LlmCriterion
    clarity: LlmCriterion
    depth: LlmCriterion
    # Prompts from v3 on: the listed required skills the answer evidences, each with a quote.
    skills_evidenced: list[LlmSkillEvidence] = Field(default_factory=list, max_length=30)


class LlmSummary(Model):
    model_config = ConfigDict(extra="ignore")

    summary: Annotated[str, Field(min_length=1, max_length=6000)]
    strengths: Annotated[list[Point], Field(max_length=10)]
    weaknesses: Annotated[list[Point], Field(max_length=10)]
    red_flags: Annotated[list[Point], Field(max_length=10)]
    verdict: Recommendation


# ---- inputs of the engines --------------------------------------------------------------


class Segment(Model):
    model_config = ConfigDict(frozen=True, extra="ignore")

    start: Annotated[float, Field(ge=0)]
    end: Annotated[float, Field(ge=0)]
    text: Annotated[str, Field(max_length=5000)]


class Transcript(BaseModel):  # not Model: ruff's RUF012 knows only direct BaseModel subclasses
    """What the media context transcribed for one upload (see shared.analysis.transcripts)."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    text: Annotated[str, Field(max_length=200_000)]
    language: Annotated[str, Field(max_length=16)] | None = None
    engine: Annotated[str, Field(max_length=32)] = "unknown"
    segments: Annotated[list[Segment], Field(max_length=20_000)] = []


class SkillAsked(_Frozen):
    """A required skill of the template: the model sees its name only; the id is how HR's
    result names it."""

    skill_id: UUID
    name: Annotated[str, Field(min_length=1, max_length=100)]


class AnswerInput(_Frozen):
    """One answer as the engine sees it: the question, and what the candidate said or wrote
    (and the names of the template's required skills it may evidence)."""

    answer_id: UUID
    question_id: UUID
    position: Annotated[int, Field(ge=1)]
    question: Annotated[str, Field(min_length=1, max_length=500)]
    rubric: Annotated[str, Field(max_length=2000)] | None = None
    language: Annotated[str, Field(max_length=16)] | None = None
    transcript: Transcript
    skills: list[SkillAsked] = Field(default_factory=list, max_length=30)


# ---- what the engines and scoring produce --------------------------------------------------


class Quote(_Frozen):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    # Where it was said (seconds into the answer's media), for playback; None for text answers.
    start: Annotated[float, Field(ge=0)] | None = None
    end: Annotated[float, Field(ge=0)] | None = None


class SkillEvidence(_Frozen):
    """A required skill the answer evidences, with the verbatim quote that shows it (the quote
    is None once the candidate's words were erased)."""

    skill_id: UUID
    name: Annotated[str, Field(min_length=1, max_length=100)]
    quote: Quote | None


class CriterionResult(_Frozen):
    score: Score
    justification: ShortText
    quotes: Annotated[list[Quote], Field(max_length=5)]


class Usage(_Frozen):
    prompt_tokens: Annotated[int, Field(ge=0)] = 0
    completion_tokens: Annotated[int, Field(ge=0)] = 0
    calls: Annotated[int, Field(ge=0)] = 0
    latency_ms: Annotated[int, Field(ge=0)] = 0

    def plus(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            calls=self.calls + other.calls,
            latency_ms=self.latency_ms + other.latency_ms,
        )


class AnswerOutcome(_Frozen):
    """An engine's verdict on one answer: scored criteria, or unscorable/flagged with why."""

    criteria: dict[Criterion, CriterionResult] | None = None
    unscorable: bool = False
    unscorable_reason: Annotated[str, Field(max_length=1000)] | None = None
    flagged: bool = False
    flag_reason: Annotated[str, Field(max_length=1000)] | None = None
    skills_evidenced: list[SkillEvidence] = Field(default_factory=list, max_length=30)
    usage: Usage = Usage()


class SummaryOutcome(_Frozen):
    summary: Annotated[str, Field(min_length=1, max_length=6000)]
    strengths: Annotated[list[Point], Field(max_length=10)]
    weaknesses: Annotated[list[Point], Field(max_length=10)]
    red_flags: Annotated[list[Point], Field(max_length=10)]
    verdict: Recommendation | None
    usage: Usage = Usage()


class SummaryItem(_Frozen):
    """One answer as the summary sees it: the question, its score and evidence."""

    position: Annotated[int, Field(ge=1)]
    question: Annotated[str, Field(min_length=1, max_length=500)]
    kind: Literal["media", "text", "choice"]
    score: Annotated[float, Field(ge=0, le=100)] | None
    criteria: dict[Criterion, CriterionResult] | None = None
    unscorable_reason: Annotated[str, Field(max_length=1000)] | None = None
    flagged: bool = False


class Weights(_Frozen):
    relevance: Annotated[float, Field(ge=0, le=1)] = 0.25
    completeness: Annotated[float, Field(ge=0, le=1)] = 0.25
    clarity: Annotated[float, Field(ge=0, le=1)] = 0.25
    depth: Annotated[float, Field(ge=0, le=1)] = 0.25


class ScoredAnswer(_Frozen):
    question_id: UUID
    # None for a required question the candidate left unanswered (it scores 0).
    answer_id: UUID | None
    score: Annotated[float, Field(ge=0, le=100)] | None


class Verdict(_Frozen):
    """Our code's decision: the overall score and the recommendation, and why."""

    overall: Annotated[float, Field(ge=0, le=100)] | None
    recommendation: Recommendation | None
    basis: Annotated[str, Field(max_length=500)]
    answers: list[ScoredAnswer]


# ---- what HR reads ------------------------------------------------------------------------


class AnswerResultView(Model):
    answer_id: UUID
    question_id: UUID
    position: int
    kind: Literal["media", "text", "choice"]
    score: float | None = Field(description="0-100; null when unscorable or flagged")
    criteria: dict[Criterion, CriterionResult] | None = None
    unscorable: bool
    unscorable_reason: str | None = None
    flagged: bool
    flag_reason: str | None = None
    skills_evidenced: list[SkillEvidence] = Field(
        default=[],
        description="The template's required skills this answer evidences, each with a quote"
        " checked to occur verbatim in the transcript",
    )


class SkillEvidenceAt(Model):
    answer_id: UUID
    position: int
    quote: Quote | None


class SkillFinding(Model):
    """One required skill of the template across the interview: where the answers evidence it."""

    skill_id: UUID
    name: str
    evidenced: bool
    evidence: list[SkillEvidenceAt] = Field(default_factory=list)


class AnswerProgress(Model):
    """One answer's assessment as it goes, before (and while) the whole result exists: each
    answer is assessed as soon as it is final, before the interview completes."""

    answer_id: UUID
    question_id: UUID
    position: int
    kind: Literal["media", "text", "choice"]
    status: Literal["waiting", "analysing", "scored"] = Field(
        description="waiting (for its transcript, or its turn), analysing, or scored"
    )
    score: float | None = Field(
        default=None, description="The answer's own score once scored (null when unscorable)"
    )
    scored_at: datetime | None = None


class ModelInput(Model):
    """Exactly what the prompt builder put into the prompt for one answer (the question, its
    rubric, the answer's language and the transcript or written text), and nothing else."""

    question: str
    rubric: str | None = None
    language: str | None = None
    transcript: str = Field(description="The transcript of a recording, or the written answer")
    skills: list[str] = Field(
        default=[], description="The names of the template's required skills to look for"
    )


class AnswerExplanation(Model):
    answer_id: UUID
    question_id: UUID
    position: int
    kind: Literal["media", "text", "choice"]
    method: Literal["engine", "exact_choice", "not_scored"] = Field(
        description="engine: the analysis engine (see engine_label: an LLM, or the offline"
        " heuristic baseline) read model_input and scored the four criteria;"
        " exact_choice: a multiple-choice answer scored by our code, without any model;"
        " not_scored: nothing was sent to a model (see note)"
    )
    model_input: ModelInput | None = None
    note: str


class ScoringRules(Model):
    """The rules our code applied to turn the per-answer scores into the recommendation."""

    weights: dict[Criterion, float] = Field(
        description="Each criterion's share of an answer's score (the template's weights,"
        " normalised to sum 1)"
    )
    answer_score: str
    overall: str
    thresholds: dict[Recommendation, str]
    overrides: list[str]
    applied: str | None = Field(
        default=None, description="How the rules played out for this analysis"
    )


class Explanation(Model):
    """Why the analysis says what it says: what the model saw, which engine, model and prompt
    version read it, and the rules that made the recommendation. For a human-only review,
    why there is no score."""

    engine: EngineName | None = None
    engine_label: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    personal_data: str
    no_score_reason: str | None = None
    answers: list[AnswerExplanation] = Field(default_factory=list)
    summary_input: str | None = None
    rules: ScoringRules | None = None


class AnalysisView(BaseModel):  # not Model: see Transcript
    """One invitation's AI analysis (the human decision is stored apart and never changes it).

    ``human_review``: the candidate declined AI analysis; no AI model read the answers, there
    are no scores, and ``reason`` says so in plain words. It is the final state (the media is
    processed: the recordings have their transcripts); it cannot be retried."""

    model_config = ConfigDict(defer_build=True)

    analysis_id: UUID | None = None
    invitation_id: UUID
    status: Literal["waiting", "running", "completed", "failed", "human_review"] = Field(
        description="waiting (for the interview to be completed, or for media), running,"
        " completed, failed, or human_review: the candidate declined AI analysis, so HR"
        " reviews alone (no AI model, no scores)"
    )
    reason: str | None = Field(
        default=None,
        description="Why it failed, the basis of the verdict, or why the review is human-only",
    )
    attempt: int | None = None
    engine: EngineName | None = None
    engine_label: str | None = Field(
        default=None, description="What produced the scores; the offline engine is not an LLM"
    )
    model: str | None = None
    prompt_version: str | None = None
    overall: float | None = None
    recommendation: Recommendation | None = None
    llm_verdict: Recommendation | None = None
    summary: str | None = None
    strengths: list[str] = []
    weaknesses: list[str] = []
    red_flags: list[str] = []
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0
    latency_ms: int | None = None
    cost_usd: float = 0.0
    waiting_for_uploads: list[UUID] = Field(
        default=[], description="Uploads whose media is still processing (status waiting)"
    )
    started_at: datetime | None = None
    completed_at: datetime | None = None
    progress: list[AnswerProgress] = Field(
        default=[],
        description="Per answer: waiting, analysing or scored (answers are assessed as they"
        " arrive, before the interview completes)",
    )
    answers: list[AnswerResultView] = []
    skills: list[SkillFinding] = Field(
        default=[],
        description="Per required skill of the template: whether the answers evidence it, and"
        " where (with verified quotes)",
    )
    explanation: Explanation | None = Field(
        default=None,
        description="What the model saw per answer, the engine, model and prompt version, and"
        " the rules that turned scores into the recommendation; for a human-only review, why"
        " there is no score",
    )


class RetryAccepted(Model):
    analysis_id: UUID
    invitation_id: UUID
    attempt: int
    status: Literal["running"]


# ---- workflow step inputs (what the state machine passes; camelCase like our events) ---------


class _StepInput(Model):
    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

    analysis_id: UUID
    attempt: Annotated[int, Field(ge=1, le=100)]


class StartInput(_StepInput):
    """The analysis.started envelope's payload (the rule passes the envelope), and the
    execution running it."""

    execution_arn: Annotated[str, Field(min_length=1, max_length=2048)] | None = None


class AnswerStepInput(_StepInput):
    answer_id: UUID
    waits: Annotated[int, Field(ge=0, le=1000)] = 0


class AssessStepInput(Model):
    """The answer workflow's input: the analysis.answer_ready envelope's answer, and how many
    times it has waited."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

    answer_id: UUID
    waits: Annotated[int, Field(ge=0, le=1000)] = 0
    # From the workflow's Catch: give the claim back (the interview's workflow takes over).
    release: bool = False


class SummaryStepInput(_StepInput):
    waits: Annotated[int, Field(ge=0, le=1000)] = 0


class CaughtError(Model):
    model_config = ConfigDict(frozen=True, extra="ignore")

    Error: Annotated[str, Field(max_length=256)] = "States.Unknown"
    Cause: Annotated[str, Field(max_length=32768)] | None = None


class FailStepInput(_StepInput):
    error: CaughtError = CaughtError()


class RetryRequest(Model):
    """What an Idempotency-Key of a retry is bound to (the route has no body)."""

    invitation_id: UUID
