"""The fake Groq chat endpoint: real response shape, content-aware deterministic answers."""

from __future__ import annotations

import json

from fakes.groq.chat import handle_chat
from shared.analysis import evidence
from shared.analysis.models import LlmAnswerAssessment, LlmSummary
from shared.analysis.prompts import load_prompts

QUESTION = "Describe how you would design a rate limiter for a public HTTP API."
RUBRIC = "token bucket or sliding window, per-client keys, distributed state, headers"
GOOD = (
    "I would design the rate limiter as a token bucket per client key, because it allows short "
    "bursts while keeping the average rate. The buckets live in Redis so every API node shares "
    "the same state, and each request takes one token with an atomic script. When a client is "
    "limited we answer 429 with retry-after and rate limit headers. For example, 100 requests "
    "per minute with a burst of 20 worked well for our public HTTP API at 3000 requests per second."
)
OFF_TOPIC = "I really enjoy hiking in the mountains with my family during the summer holidays."


def _ask(transcript: str) -> LlmAnswerAssessment:
    prompts = load_prompts()
    body = {
        "model": "openai/gpt-oss-120b",
        "response_format": {"type": "json_object"},
        "messages": [
            {"role": "system", "content": prompts.render("answer_system")},
            {
                "role": "user",
                "content": prompts.render(
                    "answer_user",
                    question=QUESTION,
                    rubric=RUBRIC,
                    language="en",
                    transcript=transcript,
                ),
            },
        ],
    }
    status, response, _headers = handle_chat(body)
    assert status == 200
    assert response["object"] == "chat.completion"
    assert response["choices"][0]["message"]["role"] == "assistant"
    assert response["usage"]["total_tokens"] == (
        response["usage"]["prompt_tokens"] + response["usage"]["completion_tokens"]
    )
    return LlmAnswerAssessment.model_validate_json(response["choices"][0]["message"]["content"])


def _mean(a: LlmAnswerAssessment) -> float:
    return (a.relevance.score + a.completeness.score + a.clarity.score + a.depth.score) / 4


def test_a_relevant_detailed_answer_scores_higher_than_off_topic_and_empty() -> None:
    good, off, empty = _ask(GOOD), _ask(OFF_TOPIC), _ask("")
    assert _mean(good) > _mean(off) > _mean(empty)
    assert good.relevance.score > off.relevance.score
    assert _mean(empty) == 0


def test_quotes_are_taken_verbatim_from_the_transcript_in_the_prompt() -> None:
    assessment = _ask(GOOD)
    quotes = assessment.relevance.quotes + assessment.depth.quotes
    assert quotes
    assert evidence.unverified(quotes, GOOD) == []


def test_the_summary_call_answers_with_the_summary_shape() -> None:
    prompts = load_prompts()
    answers = [{"position": 1, "question": QUESTION, "kind": "text", "score": 82.0}]
    body = {
        "model": "openai/gpt-oss-120b",
        "messages": [
            {"role": "system", "content": prompts.render("summary_system")},
            {
                "role": "user",
                "content": prompts.render("summary_user", answers=json.dumps(answers)),
            },
        ],
    }
    status, response, _ = handle_chat(body)
    assert status == 200
    summary = LlmSummary.model_validate_json(response["choices"][0]["message"]["content"])
    assert summary.verdict == "hire"


def test_a_request_without_a_model_is_refused_like_the_api() -> None:
    status, response, _ = handle_chat({"messages": [{"role": "user", "content": "hi"}]})
    assert status == 400
    assert response["error"]["type"] == "invalid_request_error"
