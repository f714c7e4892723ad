"""The Groq engine's rules on a scripted transport (the boundary where Groq's HTTP API would be):
JSON validated, malformed replies re-asked once, non-verbatim quotes re-asked once then flagged;
and how Groq's 429s are classified."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

import pytest

from shared.analysis.engine_groq import ChatReply, GroqEngine, Message, classify_429
from shared.analysis.errors import GroqDailyQuotaExceeded, GroqRateLimited, MalformedCompletion
from shared.analysis.models import AnswerInput, SummaryItem, Transcript
from shared.analysis.prompts import load_prompts

TEXT = "I would shard the table by tenant. Then I would add a read replica for reports."


class ScriptedTransport:
    """Answers with the given contents in order and records what it was asked."""

    def __init__(self, *contents: str | None) -> None:
        self._contents = list(contents)
        self.asked: list[list[Message]] = []

    def complete(self, messages: Sequence[Message]) -> ChatReply:
        self.asked.append(list(messages))
        return ChatReply(
            self._contents.pop(0), prompt_tokens=100, completion_tokens=20, latency_ms=5
        )


def _assessment(quote: str, score: int = 80) -> str:
    item = {"score": score, "justification": "Clear.", "quotes": [quote]}
    return json.dumps(dict.fromkeys(("relevance", "completeness", "clarity", "depth"), item))


def _answer() -> AnswerInput:
    return AnswerInput(
        answer_id=uuid.uuid4(),
        question_id=uuid.uuid4(),
        position=1,
        question="How would you scale a database that is too slow?",
        transcript=Transcript(text=TEXT),
    )


def _engine(transport: ScriptedTransport) -> GroqEngine:
    return GroqEngine(transport, load_prompts(), model="openai/gpt-oss-120b")


def test_a_valid_reply_with_verbatim_quotes_is_accepted_in_one_call() -> None:
    transport = ScriptedTransport(_assessment("shard the table by tenant"))
    outcome = _engine(transport).assess(_answer())
    assert len(transport.asked) == 1
    assert not outcome.flagged
    assert outcome.criteria is not None
    assert outcome.criteria["depth"].quotes[0].text == "shard the table by tenant"
    assert outcome.usage.calls == 1
    assert outcome.usage.prompt_tokens == 100


def test_a_malformed_reply_is_reasked_once_and_then_accepted() -> None:
    transport = ScriptedTransport("{not json", _assessment("add a read replica"))
    outcome = _engine(transport).assess(_answer())
    assert len(transport.asked) == 2
    assert "not the JSON object" in transport.asked[1][-1]["content"]
    assert outcome.criteria is not None
    assert not outcome.unscorable
    assert outcome.usage.calls == 2


def test_a_reply_malformed_twice_leaves_the_answer_unscored_and_flagged() -> None:
    transport = ScriptedTransport('{"relevance": 3}', "still not it")
    outcome = _engine(transport).assess(_answer())
    assert len(transport.asked) == 2
    assert outcome.unscorable
    assert outcome.flagged
    assert outcome.criteria is None


def test_invented_quotes_are_reasked_once_and_corrected() -> None:
    transport = ScriptedTransport(_assessment("I am an expert"), _assessment("read replica"))
    outcome = _engine(transport).assess(_answer())
    assert len(transport.asked) == 2
    assert "I am an expert" in transport.asked[1][-1]["content"]
    assert not outcome.flagged


def test_quotes_still_invented_after_the_reask_are_dropped_and_the_answer_flagged() -> None:
    transport = ScriptedTransport(_assessment("I am an expert"), _assessment("I know everything"))
    outcome = _engine(transport).assess(_answer())
    assert len(transport.asked) == 2
    assert outcome.flagged
    assert "verbatim" in (outcome.flag_reason or "")
    assert outcome.criteria is not None
    assert all(not r.quotes for r in outcome.criteria.values())


def test_an_empty_transcript_is_unscorable_without_calling_the_model() -> None:
    transport = ScriptedTransport()
    answer = _answer().model_copy(update={"transcript": Transcript(text="  ")})
    outcome = _engine(transport).assess(answer)
    assert outcome.unscorable
    assert transport.asked == []


def test_a_summary_malformed_twice_raises_malformed_completion() -> None:
    transport = ScriptedTransport("nope", "nope again")
    item = SummaryItem(position=1, question="A question text", kind="text", score=50.0)
    with pytest.raises(MalformedCompletion):
        _engine(transport).summarize([item])


def test_a_429_with_retry_after_is_a_rate_limit_to_wait_out() -> None:
    error = classify_429({"retry-after": "2", "x-ratelimit-remaining-requests": "57"}, 60)
    assert isinstance(error, GroqRateLimited)
    assert error.retry_after_s == 2.0


def test_a_429_with_no_requests_left_today_fails_fast() -> None:
    error = classify_429({"retry-after": "2", "x-ratelimit-remaining-requests": "0"}, 60)
    assert isinstance(error, GroqDailyQuotaExceeded)


def test_a_429_asking_for_a_longer_wait_than_we_allow_fails_fast() -> None:
    error = classify_429({"retry-after": "7200"}, 60)
    assert isinstance(error, GroqDailyQuotaExceeded)


def test_a_429_without_retry_after_is_left_to_the_workflow_backoff() -> None:
    error = classify_429({}, 60)
    assert isinstance(error, GroqRateLimited)
    assert error.retry_after_s is None


def test_a_high_score_without_a_verified_quote_is_flagged_for_hr() -> None:
    # Given a reply that scores 95 everywhere on quotes the answer does not contain (a steered
    # or invented score), twice
    transport = ScriptedTransport(
        _assessment("outstanding answer", score=95), _assessment("outstanding answer", score=95)
    )
    outcome = _engine(transport).assess(_answer())
    # Then the scores stay as the model gave them, but the answer is flagged for HR
    assert outcome.criteria is not None
    assert outcome.criteria["relevance"].score == 95
    assert outcome.flagged
    assert "high score with no verified quote" in (outcome.flag_reason or "")
    assert "relevance 95" in (outcome.flag_reason or "")


def test_a_low_score_without_quotes_is_not_a_contradiction() -> None:
    item = {"score": 20, "justification": "Off topic.", "quotes": []}
    reply = json.dumps(dict.fromkeys(("relevance", "completeness", "clarity", "depth"), item))
    outcome = _engine(ScriptedTransport(reply)).assess(_answer())
    assert not outcome.flagged


def test_a_high_score_with_a_verified_quote_is_not_flagged() -> None:
    outcome = _engine(ScriptedTransport(_assessment("read replica", score=95))).assess(_answer())
    assert not outcome.flagged
