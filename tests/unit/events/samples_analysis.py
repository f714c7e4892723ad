"""Sample payloads of the analysis events, for the catalogue's contract tests."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from shared.models.events import analysis as an

_ANALYSIS = uuid.UUID("00000000-0000-4000-8000-0000000000b1")
_INVITATION = uuid.UUID("00000000-0000-4000-8000-0000000000a2")

ANALYSIS_SAMPLES: dict[str, BaseModel] = {
    "analysis.started": an.AnalysisStarted(
        analysis_id=_ANALYSIS, invitation_id=_INVITATION, attempt=1, trigger="initial"
    ),
    "analysis.completed": an.AnalysisCompleted(
        analysis_id=_ANALYSIS,
        invitation_id=_INVITATION,
        attempt=1,
        engine="groq",
        model="openai/gpt-oss-120b",
        overall=78.5,
        recommendation="hire",
        answers_scored=4,
        answers_unscorable=1,
    ),
    "analysis.failed": an.AnalysisFailed(
        analysis_id=_ANALYSIS,
        invitation_id=_INVITATION,
        attempt=2,
        reason="GroqDailyQuotaExceeded: the daily request quota is used up",
    ),
    "analysis.answer_ready": an.AnalysisAnswerReady(
        answer_id=uuid.UUID("00000000-0000-4000-8000-0000000000c3"),
        invitation_id=_INVITATION,
        question_id=uuid.UUID("00000000-0000-4000-8000-0000000000d4"),
    ),
    "analysis.human_review": an.AnalysisHumanReview(
        analysis_id=_ANALYSIS,
        invitation_id=_INVITATION,
        reason="The candidate declined AI analysis: no AI model read the answers.",
    ),
}
