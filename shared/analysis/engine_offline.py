"""The offline engine: a heuristic baseline for machines without GROQ_API_KEY.

It never calls a model and never claims to: every justification says it is a heuristic, and the
analysis is stored with engine ``offline`` (the API labels it). Quotes are the answer's own
sentences, so evidence stays verbatim.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.analysis import evidence, heuristics
from shared.analysis.models import (
    CRITERIA,
    AnswerInput,
    AnswerOutcome,
    CriterionResult,
    SummaryItem,
    SummaryOutcome,
)

OFFLINE_MODEL = "heuristic-baseline-v1"
_WHY = {
    "relevance": "Heuristic: {overlap:.0%} of the question's key words appear in the answer.",
    "completeness": "Heuristic: {words} words against ~120 expected for a full answer.",
    "clarity": "Heuristic: {sentences} sentences of ~{avg:.0f} words on average.",
    "depth": "Heuristic: {specifics} specifics (numbers, reasons, examples) in the answer.",
}


def _point(criterion: str, mean: float) -> str:
    return f"{criterion.capitalize()} (heuristic mean {mean:.0f})"


class OfflineEngine:
    name = "offline"
    model = OFFLINE_MODEL

    def assess(self, answer: AnswerInput) -> AnswerOutcome:
        text = answer.transcript.text
        if not text.strip():
            return AnswerOutcome(unscorable=True, unscorable_reason="nothing was said or written")
        f = heuristics.features(text, answer.question, answer.rubric)
        scores = heuristics.criterion_scores(f)
        quotes = [
            evidence.locate(q, answer.transcript)
            for q in heuristics.best_sentences(text, answer.question, answer.rubric)
        ]
        values = {
            "overlap": f.overlap,
            "words": f.word_count,
            "sentences": f.sentences,
            "avg": f.avg_sentence_words,
            "specifics": f.specifics,
        }
        criteria = {
            c: CriterionResult(
                score=scores[c], justification=_WHY[c].format(**values), quotes=quotes
            )
            for c in CRITERIA
        }
        shown = heuristics.skills_shown(text, [s.name for s in answer.skills])
        return AnswerOutcome(
            criteria=criteria,
            skills_evidenced=evidence.skills_evidenced(shown, answer.skills, answer.transcript),
        )

    def summarize(self, items: Sequence[SummaryItem]) -> SummaryOutcome:
        scored = [i for i in items if i.score is not None]
        means = {
            c: sum(i.criteria[c].score for i in scored if i.criteria) / len(scored)
            for c in CRITERIA
            if scored
        }
        strengths = [
            f"{c.capitalize()} (heuristic mean {v:.0f})" for c, v in means.items() if v >= 70
        ]
        weaknesses = [
            f"{c.capitalize()} (heuristic mean {v:.0f})" for c, v in means.items() if v < 50
        ]
        unscorable = [i for i in items if i.score is None]
        lines = [
            f"Offline heuristic baseline, not an LLM: {len(scored)} of {len(items)} answers "
            "were scored from word overlap with the question, length and structure.",
            "Read the answers and the quoted evidence before deciding; set GROQ_API_KEY for the "
            "AI analysis.",
        ]
        if unscorable:
            reasons = "; ".join(f"Q{i.position}: {i.unscorable_reason}" for i in unscorable)
            lines.append(f"Not scored: {reasons}.")
        return SummaryOutcome(
            summary="\n\n".join(lines)[:6000],
            strengths=strengths[:10],
            weaknesses=weaknesses[:10],
            red_flags=[],
            verdict=None,
        )
