"""The Groq engine: one chat completion in JSON mode per answer, one for the summary.

Every reply is validated with pydantic. A reply that is not the JSON asked for is re-asked once;
quotes that do not occur verbatim in the transcript are re-asked once, then dropped and the
answer flagged. Groq's errors become the exception classes of ``shared.analysis.errors`` so the
workflow retries (429 within a window, 5xx, timeouts) or fails fast (daily quota, 4xx) by name.
"""

from __future__ import annotations

import email.utils
import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ValidationError

from shared.analysis import evidence
from shared.analysis.errors import (
    GroqDailyQuotaExceeded,
    GroqRateLimited,
    GroqRequestRejected,
    GroqServerError,
    GroqTimeout,
    MalformedCompletion,
)
from shared.analysis.models import (
    CRITERIA,
    AnswerInput,
    AnswerOutcome,
    Criterion,
    CriterionResult,
    LlmAnswerAssessment,
    LlmSummary,
    SummaryItem,
    SummaryOutcome,
    Usage,
)
from shared.analysis.prompts import PromptSet

if TYPE_CHECKING:
    import groq

Message = dict[str, str]


@dataclass(frozen=True, slots=True)
class ChatReply:
    content: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int

    @property
    def usage(self) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            calls=1,
            latency_ms=self.latency_ms,
        )


class ChatTransport(Protocol):
    """One chat completion in JSON mode. Raises the errors of ``shared.analysis.errors``."""

    def complete(self, messages: Sequence[Message]) -> ChatReply: ...


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """``retry-after`` in seconds (delta-seconds or an HTTP date), None when absent."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def classify_429(headers: Mapping[str, str], max_wait_s: float) -> Exception:
    """Groq's request limit headers count requests per DAY: none left means the day's quota is
    gone (and so does a retry-after longer than we would ever wait inside a workflow)."""
    wait = retry_after_s(headers)
    if headers.get("x-ratelimit-remaining-requests") == "0":
        return GroqDailyQuotaExceeded("the daily request quota is used up (429, 0 requests left)")
    if wait is not None and wait > max_wait_s:
        return GroqDailyQuotaExceeded(f"rate limited for {wait:.0f} s (quota exhausted)")
    return GroqRateLimited("rate limited by Groq (429)", wait)


def estimate_tokens(messages: Sequence[Message], max_tokens: int) -> int:
    """What a call will count against a tokens-per-minute budget, before it is made: about four
    characters a token for the prompt, plus the reply (a third of its cap: a scored answer's
    JSON is a few hundred tokens; the real usage is recorded afterwards)."""
    chars = sum(len(m.get("content") or "") for m in messages)
    return chars // 4 + max_tokens // 3


class GroqTransport:
    """The real thing: ``groq.Groq`` chat completions with ``response_format=json_object``."""

    def __init__(
        self,
        client: groq.Groq,
        *,
        model: str,
        max_tokens: int,
        max_wait_s: float,
        reasoning_effort: str | None = None,
        budget: Callable[[int], None] | None = None,
    ) -> None:
        self._client = client
        self._model = model
        self._max_tokens = max_tokens
        self._max_wait_s = max_wait_s
        # Takes the call's estimated tokens from the shared budget first (raises
        # BudgetExhausted when this minute has no room: the call is not sent).
        self._budget = budget
        # Only models that accept it get the parameter (others answer 400).
        self._extra: dict[str, Any] = (
            {"reasoning_effort": reasoning_effort} if reasoning_effort else {}
        )

    def complete(self, messages: Sequence[Message]) -> ChatReply:
        import groq  # noqa: PLC0415 - the SDK is imported only by functions that call it

        if self._budget is not None:
            self._budget(estimate_tokens(messages, self._max_tokens))
        started = time.perf_counter()
        try:
            response = self._client.chat.completions.create(  # type: ignore[call-overload]
                model=self._model,
                messages=list(messages),
                response_format={"type": "json_object"},
                temperature=0,
                max_completion_tokens=self._max_tokens,
                **self._extra,
            )
        except groq.RateLimitError as exc:
            raise classify_429(exc.response.headers, self._max_wait_s) from exc
        except groq.APITimeoutError as exc:
            raise GroqTimeout("Groq did not answer in time") from exc
        except groq.APIConnectionError as exc:
            raise GroqTimeout("the connection to Groq failed") from exc
        except groq.BadRequestError as exc:
            if _error_code(exc.body) == "json_validate_failed":
                # Groq's JSON mode could not produce JSON: the same as a malformed reply.
                return ChatReply(None, 0, 0, _ms_since(started))
            raise GroqRequestRejected(f"Groq refused the request ({exc.status_code})") from exc
        except groq.APIStatusError as exc:
            if exc.status_code >= 500:
                raise GroqServerError(f"Groq answered {exc.status_code}") from exc
            raise GroqRequestRejected(f"Groq refused the request ({exc.status_code})") from exc
        except (groq.APIResponseValidationError, ValueError):
            # A body that is not the API's JSON: as malformed as bad content, so re-asked.
            return ChatReply(None, 0, 0, _ms_since(started))
        usage = response.usage
        content = response.choices[0].message.content if response.choices else None
        return ChatReply(
            content=content,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            latency_ms=_ms_since(started),
        )


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _error_code(body: object) -> str | None:
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("code"), str):
            return str(error["code"])
    return None


def _parse[M: BaseModel](content: str | None, model: type[M]) -> tuple[M | None, str]:
    if not content:
        return None, "empty reply"
    try:
        return model.model_validate(json.loads(content)), ""
    except json.JSONDecodeError:
        return None, "not JSON"
    except ValidationError as exc:
        return None, f"{exc.error_count()} fields missing or out of range"


def new_fence(*untrusted: str) -> str:
    """A one-time marker for the tags around untrusted text (the candidate's words): 128
    random bits, so the text cannot close its block by writing ``</transcript>`` or a guessed
    tag; never one that occurs in the text itself."""
    while True:
        fence = secrets.token_hex(16)
        if not any(fence in text for text in untrusted):
            return fence


# A criterion scored this high with no quote that checks out verbatim is a contradiction (a
# steered or invented score): the answer is flagged for HR.
UNSUPPORTED_SCORE = 70


def unsupported_scores(criteria: Mapping[Criterion, CriterionResult]) -> list[str]:
    """The criteria whose high score no verified quote supports."""
    return [
        f"{name} {result.score}"
        for name, result in criteria.items()
        if result.score >= UNSUPPORTED_SCORE and not result.quotes
    ]


class GroqEngine:
    name = "groq"

    def __init__(
        self,
        transport: ChatTransport,
        prompts: PromptSet,
        *,
        model: str,
        fence: Callable[..., str] = new_fence,
    ) -> None:
        self._transport = transport
        self._prompts = prompts
        self._fence = fence
        self.model = model

    def _ask[M: BaseModel](
        self, messages: list[Message], model: type[M]
    ) -> tuple[M | None, Usage, list[Message]]:
        """One call, and one re-ask when the reply is not valid JSON of ``model``."""
        reply = self._transport.complete(messages)
        usage = reply.usage
        parsed, problem = _parse(reply.content, model)
        if parsed is None:
            messages = [
                *messages,
                {"role": "assistant", "content": (reply.content or "")[:4000]},
                {"role": "user", "content": self._prompts.render("reask_json", problem=problem)},
            ]
            reply = self._transport.complete(messages)
            usage = usage.plus(reply.usage)
            parsed, _ = _parse(reply.content, model)
        if parsed is not None:
            messages = [*messages, {"role": "assistant", "content": reply.content or ""}]
        return parsed, usage, messages

    def assess(self, answer: AnswerInput) -> AnswerOutcome:
        transcript = answer.transcript
        if not transcript.text.strip():
            return AnswerOutcome(unscorable=True, unscorable_reason="nothing was said or written")
        rubric = answer.rubric or "(none given)"
        skills = json.dumps([skill.name for skill in answer.skills])
        fence = self._fence(transcript.text, answer.question, rubric, skills)
        messages: list[Message] = [
            {"role": "system", "content": self._prompts.render("answer_system")},
            {
                "role": "user",
                "content": self._prompts.render(
                    "answer_user",
                    fence=fence,
                    question=answer.question,
                    rubric=rubric,
                    skills=skills,
                    language=(answer.language or "unknown")[:16],
                    transcript=transcript.text,
                ),
            },
        ]
        parsed, usage, messages = self._ask(messages, LlmAnswerAssessment)
        if parsed is None:
            return AnswerOutcome(
                unscorable=True,
                unscorable_reason="the model's reply was malformed twice",
                flagged=True,
                flag_reason="malformed JSON after one re-ask",
                usage=usage,
            )
        bad = _unverified(parsed, transcript.text)
        if bad:
            reask = self._prompts.render("reask_quotes", quotes=json.dumps(bad)[:2000], fence=fence)
            again, more, _ = self._ask(
                [*messages, {"role": "user", "content": reask}], LlmAnswerAssessment
            )
            usage = usage.plus(more)
            if again is not None:
                parsed = again
                bad = _unverified(parsed, transcript.text)
        criteria = {
            c: CriterionResult(
                score=getattr(parsed, c).score,
                justification=getattr(parsed, c).justification,
                quotes=[
                    evidence.locate(q, transcript)
                    for q in getattr(parsed, c).quotes
                    if evidence.is_verbatim(q, transcript.text)
                ],
            )
            for c in CRITERIA
        }
        shown = evidence.skills_evidenced(
            [(e.skill, e.quote) for e in parsed.skills_evidenced], answer.skills, transcript
        )
        problems = []
        if bad:
            problems.append(f"{len(bad)} quote(s) not found verbatim after a re-ask; dropped")
        if unsupported := unsupported_scores(criteria):
            problems.append(
                f"high score with no verified quote ({', '.join(unsupported)}): check the answer"
            )
        if problems:
            return AnswerOutcome(
                criteria=criteria,
                flagged=True,
                flag_reason="; ".join(problems),
                skills_evidenced=shown,
                usage=usage,
            )
        return AnswerOutcome(criteria=criteria, skills_evidenced=shown, usage=usage)

    def summarize(self, items: Sequence[SummaryItem]) -> SummaryOutcome:
        answers = json.dumps([item.model_dump(mode="json", exclude_none=True) for item in items])
        messages: list[Message] = [
            {"role": "system", "content": self._prompts.render("summary_system")},
            {
                "role": "user",
                "content": self._prompts.render(
                    "summary_user", answers=answers, fence=self._fence(answers)
                ),
            },
        ]
        parsed, usage, _ = self._ask(messages, LlmSummary)
        if parsed is None:
            raise MalformedCompletion("the summary reply was malformed twice")
        return SummaryOutcome(
            summary=parsed.summary,
            strengths=parsed.strengths,
            weaknesses=parsed.weaknesses,
            red_flags=parsed.red_flags,
            verdict=parsed.verdict,
            usage=usage,
        )


def _unverified(parsed: LlmAnswerAssessment, transcript: str) -> list[str]:
    quotes = [q for c in CRITERIA for q in getattr(parsed, c).quotes]
    quotes += [e.quote for e in parsed.skills_evidenced]
    return evidence.unverified(quotes, transcript)
