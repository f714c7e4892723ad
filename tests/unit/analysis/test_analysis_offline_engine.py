"""The offline engine: a labelled heuristic baseline that still ranks answers sensibly."""

from __future__ import annotations

import uuid

from shared.analysis.engine_offline import OfflineEngine
from shared.analysis.models import AnswerInput, SummaryItem, Transcript

QUESTION = "Explain how you would test a payment service before a release."


def _assess(text: str) -> float:
    answer = AnswerInput(
        answer_id=uuid.uuid4(),
        question_id=uuid.uuid4(),
        position=1,
        question=QUESTION,
        transcript=Transcript(text=text),
    )
    outcome = OfflineEngine().assess(answer)
    if outcome.criteria is None:
        return -1
    assert all(r.justification.startswith("Heuristic:") for r in outcome.criteria.values())
    return sum(r.score for r in outcome.criteria.values()) / 4


def test_an_on_topic_detailed_answer_beats_an_off_topic_one_and_empty_is_unscorable() -> None:
    good = _assess(
        "I would test the payment service with unit tests for every rule, contract tests "
        "against the payment provider's sandbox, and an end to end test of a release candidate. "
        "For example we replay 500 recorded payments because refunds and retries "
        "are where bugs hide."
    )
    off = _assess("My favourite food is pizza and I like to cook it at home on Sundays.")
    assert good > off
    assert _assess("") == -1


def test_the_offline_summary_says_it_is_not_an_llm() -> None:
    summary = OfflineEngine().summarize(
        [SummaryItem(position=1, question=QUESTION, kind="text", score=None, unscorable_reason="x")]
    )
    assert "not an LLM" in summary.summary
    assert summary.verdict is None
