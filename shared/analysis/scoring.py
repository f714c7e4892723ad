"""Deterministic scoring, in our code (the LLM scores criteria; we decide).

- An answer's score is the weighted mean of its four criteria (the template's weights,
  normalised; default 0.25 each).
- A multiple-choice answer is scored exactly: 100 when the chosen options are exactly the
  correct ones, else 0. No LLM.
- A required question without an answer counts 0 (the candidate skipped it). An answer that
  cannot be scored through no fault of the candidate (its media failed, nothing was said, the
  LLM's evidence could not be verified) is left out of the overall score, with its reason.
- Overall = the mean of the scored answers, 0-100. Recommendation: hire >= 75, consider 50-74,
  reject < 50. A red flag makes it reject; an LLM verdict more conservative than ours wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from uuid import UUID

from shared.analysis.models import (
    CRITERIA,
    Criterion,
    CriterionResult,
    Recommendation,
    ScoredAnswer,
    Verdict,
    Weights,
)

HIRE_AT = 75.0
CONSIDER_AT = 50.0
_SEVERITY: dict[Recommendation, int] = {"hire": 0, "consider": 1, "reject": 2}


def normalised(weights: Weights) -> dict[Criterion, float]:
    raw = {criterion: float(getattr(weights, criterion)) for criterion in CRITERIA}
    total = sum(raw.values())
    if total <= 0:
        return dict.fromkeys(CRITERIA, 1 / len(CRITERIA))
    return {criterion: value / total for criterion, value in raw.items()}


def answer_score(criteria: Mapping[Criterion, CriterionResult], weights: Weights) -> float:
    shares = normalised(weights)
    return round(sum(shares[c] * criteria[c].score for c in CRITERIA), 2)


def choice_score(selected: Iterable[UUID], correct: Iterable[UUID]) -> float:
    """Exact: all the correct options and nothing else."""
    chosen, right = set(selected), set(correct)
    return 100.0 if chosen and chosen == right else 0.0


def by_threshold(overall: float) -> Recommendation:
    if overall >= HIRE_AT:
        return "hire"
    if overall >= CONSIDER_AT:
        return "consider"
    return "reject"


def more_conservative(a: Recommendation, b: Recommendation) -> Recommendation:
    return a if _SEVERITY[a] >= _SEVERITY[b] else b


def verdict(
    answers: Sequence[ScoredAnswer],
    *,
    red_flags: Sequence[str] = (),
    llm_verdict: Recommendation | None = None,
) -> Verdict:
    """The overall score and recommendation from the per-answer scores (None = unscorable)."""
    scored = [a.score for a in answers if a.score is not None]
    if not scored:
        return Verdict(
            overall=None,
            recommendation=None,
            basis="no answer could be scored; HR decides on the evidence",
            answers=list(answers),
        )
    overall = round(sum(scored) / len(scored), 2)
    recommendation = by_threshold(overall)
    basis = f"overall {overall:g} -> {recommendation} (hire >= 75, consider 50-74, reject < 50)"
    if red_flags:
        recommendation = "reject"
        basis += f"; {len(red_flags)} red flag(s) -> reject"
    if llm_verdict is not None and more_conservative(llm_verdict, recommendation) != recommendation:
        recommendation = llm_verdict
        basis += f"; the LLM's more conservative verdict ({llm_verdict}) wins"
    return Verdict(
        overall=overall, recommendation=recommendation, basis=basis, answers=list(answers)
    )
