"""The fake Groq's ``POST /openai/v1/chat/completions``: the real request and response shapes,
deterministic, content-aware answers.

It reads our prompts the way a model would see them (the ``<question>``, ``<rubric>``,
``<skills>`` and ``<transcript>`` parts of an answer assessment, the ``<answers>`` of a
summary) and answers with scores from text heuristics: an on-topic, detailed answer scores
higher than an off-topic or empty one, every quote is a sentence copied verbatim from the
transcript, and a listed skill is evidenced when the transcript names it (the sentence that
does is its quote). Token counts are real
o200k_base counts (gpt-oss's tokenizer) of every message, plus the harmony format's framing
(4 tokens a message, 3 to open the reply); the fake does not reason, so a real model's reasoning
tokens (billed as output) are not in them. The server (``fakes/groq/server.py``) adds latency and
faults.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from functools import lru_cache
from typing import Any

import bpe_openai

from shared.analysis import heuristics

# A block is <name>...</name>, or <name-FENCE>...</name-FENCE> with a one-time marker: a fenced
# block ends only at its own closing tag, as a model is told to read it.
_TAG = r"<{0}(-[^<>\s]{{1,64}}|)>\s*(.*?)\s*</{0}\1>"
_HEADERS = {
    "x-ratelimit-limit-requests": "1000",
    "x-ratelimit-remaining-requests": "999",
    "x-ratelimit-limit-tokens": "250000",
    "x-ratelimit-remaining-tokens": "249000",
}


def _tag(text: str, name: str) -> str:
    match = re.search(_TAG.format(name), text, re.DOTALL)
    return match.group(2) if match else ""


def block(text: str, name: str) -> str:
    """What a model reads as the ``name`` block of a prompt (tests check the fences with it)."""
    return _tag(text, name)


# Harmony: <|start|>{role}<|message|>{content}<|end|> per message; <|start|>assistant to reply.
_PER_MESSAGE = 4
_REPLY_PRIMING = 3
# What Groq accepts for reasoning_effort, by model family; other models refuse the parameter.
_REASONING_EFFORTS = {"openai/gpt-oss-": ("low", "medium", "high")}


@lru_cache(maxsize=1)
def _encoding() -> bpe_openai.Encoding:
    return bpe_openai.get_encoding("o200k_base")


def _tokens(text: str) -> int:
    return len(_encoding().encode(text))


def _reasoning_error(model: str, effort: Any) -> str | None:
    allowed = next((v for p, v in _REASONING_EFFORTS.items() if model.startswith(p)), None)
    if allowed is None:
        return "`reasoning_effort` is not supported with this model"
    if effort not in allowed:
        return f"`reasoning_effort` must be one of {', '.join(allowed)}"
    return None


def _error(
    status: int, message: str, kind: str = "invalid_request_error"
) -> tuple[int, dict[str, Any], dict[str, str]]:
    return status, {"error": {"message": message, "type": kind}}, {}


def _assessment(prompt: str) -> dict[str, Any]:
    question, rubric, transcript = (
        _tag(prompt, "question"),
        _tag(prompt, "rubric"),
        _tag(prompt, "transcript"),
    )
    if rubric == "(none given)":
        rubric = ""
    features = heuristics.features(transcript, question, rubric)
    scores = heuristics.criterion_scores(features)
    quotes = heuristics.best_sentences(transcript, question, rubric)
    why = {
        "relevance": f"The answer uses {features.overlap:.0%} of the question's key terms.",
        "completeness": f"{features.word_count} words covering the main points asked for.",
        "clarity": (
            f"{features.sentences} sentences, about {features.avg_sentence_words:.0f} words each."
        ),
        "depth": f"{features.specifics} concrete specifics such as numbers, reasons or examples.",
    }
    reply: dict[str, Any] = {
        c: {"score": scores[c], "justification": why[c], "quotes": quotes} for c in scores
    }
    skills = _skills(_tag(prompt, "skills"))
    if skills is not None:  # a prompt that lists skills (v3 on) gets the skills it evidences
        reply["skills_evidenced"] = [
            {"skill": name, "quote": quote}
            for name, quote in heuristics.skills_shown(transcript, skills)
        ]
    return reply


def _skills(block_text: str) -> list[str] | None:
    """The skill names of a ``<skills>`` block (a JSON array), None when the prompt has none."""
    if not block_text:
        return None
    try:
        names = json.loads(block_text)
    except ValueError:
        return None
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else None


def _scored(score: float | None) -> str:
    return f"scored {score or 0:.0f}"


def _summary(prompt: str) -> dict[str, Any]:
    try:
        answers = json.loads(_tag(prompt, "answers") or "[]")
    except ValueError:
        answers = []
    scores = [a["score"] for a in answers if isinstance(a, dict) and a.get("score") is not None]
    mean = sum(scores) / len(scores) if scores else 0.0
    verdict = "hire" if mean >= 75 else "consider" if mean >= 50 else "reject"
    strong = [
        f"Question {a['position']}: scored {a['score']:.0f}"
        for a in answers
        if (a.get("score") or 0) >= 70
    ]
    weak = [
        f"Question {a['position']}: {a.get('unscorable_reason') or _scored(a.get('score'))}"
        for a in answers
        if a.get("score") is None or a["score"] < 50
    ]
    summary = (
        f"The candidate answered {len(answers)} questions; {len(scores)} could be scored, "
        f"with a mean of {mean:.0f}.\n\n"
        + (
            "The strongest answers were specific and on topic."
            if strong
            else "No answer stood out."
        )
    )
    return {
        "summary": summary,
        "strengths": strong[:5],
        "weaknesses": weak[:5],
        "red_flags": [],
        "verdict": verdict,
    }


def handle_chat(body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
    """(status, JSON body, headers) for one chat completion request."""
    model = body.get("model")
    messages = body.get("messages")
    if not isinstance(model, str) or not model:
        return _error(400, "'model' is required")
    if not isinstance(messages, list) or not messages:
        return _error(400, "'messages' must be a non-empty array")
    if "reasoning_effort" in body and (error := _reasoning_error(model, body["reasoning_effort"])):
        return _error(400, error)
    texts = [str(m.get("content") or "") for m in messages if isinstance(m, dict)]
    system = next(
        (t for m, t in zip(messages, texts, strict=False) if m.get("role") == "system"), ""
    )
    users = [t for m, t in zip(messages, texts, strict=False) if m.get("role") == "user"]
    first_user = users[0] if users else ""
    if "TASK: answer_assessment" in system:
        content = json.dumps(_assessment(first_user))
    elif "TASK: interview_summary" in system:
        content = json.dumps(_summary(first_user))
    else:
        content = json.dumps({"reply": "ok"})
    prompt_tokens = sum(_tokens(t) + _PER_MESSAGE for t in texts) + _REPLY_PRIMING
    completion_tokens = _tokens(content)
    response = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": "fp_fake",
        "x_groq": {"id": f"req_{uuid.uuid4().hex[:24]}"},
    }
    return 200, response, dict(_HEADERS)
