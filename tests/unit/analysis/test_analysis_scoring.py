"""Scoring rules: weights, thresholds, red flags, the conservative verdict, multiple choice and
unscorable answers. All decided by our code, never by the model."""

from __future__ import annotations

import uuid

import pytest

from shared.analysis import scoring
from shared.analysis.models import CRITERIA, CriterionResult, ScoredAnswer, Weights


def _criteria(**scores: int) -> dict[str, CriterionResult]:
    return {
        c: CriterionResult(score=scores[c], justification="because", quotes=[]) for c in CRITERIA
    }


def _answer(score: float | None) -> ScoredAnswer:
    return ScoredAnswer(question_id=uuid.uuid4(), answer_id=uuid.uuid4(), score=score)


def test_default_weights_average_the_four_criteria() -> None:
    # Given equal default weights
    criteria = _criteria(relevance=100, completeness=80, clarity=60, depth=40)
    # When the answer is scored
    # Then it is the plain mean
    assert scoring.answer_score(criteria, Weights()) == 70.0  # type: ignore[arg-type]


def test_template_weights_shift_the_answer_score() -> None:
    # Given a template that only cares about depth
    weights = Weights(relevance=0, completeness=0, clarity=0, depth=1)
    criteria = _criteria(relevance=100, completeness=100, clarity=100, depth=20)
    # Then only depth counts
    assert scoring.answer_score(criteria, weights) == 20.0  # type: ignore[arg-type]


def test_weights_are_normalised_when_they_do_not_sum_to_one() -> None:
    weights = Weights(relevance=0.5, completeness=0.5, clarity=0.5, depth=0.5)
    criteria = _criteria(relevance=90, completeness=70, clarity=50, depth=30)
    assert scoring.answer_score(criteria, weights) == 60.0  # type: ignore[arg-type]


def test_all_zero_weights_fall_back_to_equal_weights() -> None:
    weights = Weights(relevance=0, completeness=0, clarity=0, depth=0)
    criteria = _criteria(relevance=90, completeness=70, clarity=50, depth=30)
    assert scoring.answer_score(criteria, weights) == 60.0  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overall", "expected"),
    [
        (100, "hire"),
        (75, "hire"),
        (74.99, "consider"),
        (50, "consider"),
        (49.99, "reject"),
        (0, "reject"),
    ],
)
def test_thresholds_hire_75_consider_50_reject_below(overall: float, expected: str) -> None:
    assert scoring.by_threshold(overall) == expected


def test_overall_is_the_mean_of_scored_answers_and_unscorable_ones_are_left_out() -> None:
    # Given two scored answers and one whose media failed
    answers = [_answer(80), _answer(90), _answer(None)]
    # When the verdict is made
    verdict = scoring.verdict(answers)
    # Then the unscorable answer does not drag the score down
    assert verdict.overall == 85.0
    assert verdict.recommendation == "hire"


def test_nothing_scorable_gives_no_score_and_no_recommendation() -> None:
    verdict = scoring.verdict([_answer(None), _answer(None)])
    assert verdict.overall is None
    assert verdict.recommendation is None
    assert "no answer could be scored" in verdict.basis


def test_a_red_flag_wins_over_a_high_score() -> None:
    verdict = scoring.verdict([_answer(95)], red_flags=["contradicts the earlier answer"])
    assert verdict.overall == 95.0
    assert verdict.recommendation == "reject"
    assert "red flag" in verdict.basis


def test_a_more_conservative_llm_verdict_wins() -> None:
    verdict = scoring.verdict([_answer(90)], llm_verdict="consider")
    assert verdict.recommendation == "consider"
    assert "more conservative" in verdict.basis


def test_a_less_conservative_llm_verdict_does_not_win() -> None:
    # Given a low score and an optimistic model
    verdict = scoring.verdict([_answer(30)], llm_verdict="hire")
    # Then our score decides
    assert verdict.recommendation == "reject"


def test_multiple_choice_is_exact_all_correct_and_nothing_else() -> None:
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert scoring.choice_score([a, b], [b, a]) == 100.0
    assert scoring.choice_score([a], [a, b]) == 0.0  # incomplete
    assert scoring.choice_score([a, b, c], [a, b]) == 0.0  # one too many
    assert scoring.choice_score([], [a]) == 0.0  # nothing chosen


def test_a_skipped_required_question_counts_zero() -> None:
    skipped = ScoredAnswer(question_id=uuid.uuid4(), answer_id=None, score=0)
    verdict = scoring.verdict([_answer(100), skipped])
    assert verdict.overall == 50.0
    assert verdict.recommendation == "consider"
