"""The Groq transport through the real ``groq`` client against the fake Groq on loopback: the
reasoning effort reaches only models that accept it, and usage is o200k_base token counts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import bpe_openai
import groq
import pytest
from psycopg_pool import ConnectionPool

from fakes.groq.server import FakeGroqServer
from shared.analysis.budget import budget_for
from shared.analysis.engine_groq import GroqTransport, Message
from shared.analysis.errors import BudgetExhausted, GroqRateLimited, GroqRequestRejected
from shared.analysis.settings import AnalysisSettings, ModelLimits
from tests.integration.analysis.conftest import deps_for

MESSAGES: list[Message] = [
    {"role": "system", "content": "TASK: other. Answer in JSON."},
    {"role": "user", "content": "Say ok, please."},
]


@pytest.fixture(scope="module")
def client() -> Iterator[groq.Groq]:
    with FakeGroqServer() as fake:
        yield groq.Groq(api_key="fake-key-not-groq", base_url=fake.base_url, max_retries=0)


def _transport(client: groq.Groq, settings: AnalysisSettings) -> GroqTransport:
    return GroqTransport(
        client,
        model=settings.model,
        max_tokens=settings.max_completion_tokens,
        max_wait_s=settings.max_retry_after_s,
        reasoning_effort=settings.reasoning_effort_for_model(),
    )


def test_gpt_oss_gets_a_low_reasoning_effort_and_usage_is_counted_in_o200k_tokens(
    client: groq.Groq,
) -> None:
    # Given the default settings (gpt-oss-120b)
    settings = AnalysisSettings()
    assert settings.reasoning_effort_for_model() == "low"
    # When a chat goes through the real client
    reply = _transport(client, settings).complete(MESSAGES)
    # Then it is answered, with gpt-oss's tokenizer counts plus harmony's framing
    assert reply.content == '{"reply": "ok"}'
    encoding = bpe_openai.get_encoding("o200k_base")
    expected = sum(len(encoding.encode(m["content"])) + 4 for m in MESSAGES) + 3
    assert reply.prompt_tokens == expected
    assert reply.completion_tokens == len(encoding.encode('{"reply": "ok"}'))


def test_a_model_without_reasoning_efforts_is_not_sent_one(client: groq.Groq) -> None:
    # Given a model Groq refuses reasoning_effort for
    settings = AnalysisSettings(model="llama-3.3-70b-versatile")
    # Then the setting is not applied to it, and its chat succeeds
    assert settings.reasoning_effort_for_model() is None
    assert _transport(client, settings).complete(MESSAGES).content is not None
    # While sending it anyway is refused, as Groq does
    forced = GroqTransport(
        client,
        model=settings.model,
        max_tokens=settings.max_completion_tokens,
        max_wait_s=settings.max_retry_after_s,
        reasoning_effort="low",
    )
    with pytest.raises(GroqRequestRejected):
        forced.complete(MESSAGES)


def test_the_fake_enforces_requests_per_minute_and_the_shared_budget_keeps_under_it(
    pool: ConnectionPool,
) -> None:
    # Given Groq (the fake) allowing 3 chat requests a minute, and our budget set to the same
    with FakeGroqServer() as fake:
        fake.set_rate_limit(3)
        real = groq.Groq(api_key="fake-key-not-groq", base_url=fake.base_url, max_retries=0)
        settings = AnalysisSettings()
        bare = _transport(real, settings)
        for _ in range(3):
            bare.complete(MESSAGES)
        # Then a fourth call without the budget earns Groq's 429 with its retry-after
        with pytest.raises(GroqRateLimited) as limited:
            bare.complete(MESSAGES)
        assert not isinstance(limited.value, BudgetExhausted)
        assert limited.value.retry_after_s is not None
        assert 0 < limited.value.retry_after_s <= 60
        assert fake.rate_limited == 1
        # When calls go through the shared budget instead (a new minute's worth at the fake)
        fake.set_rate_limit(3)
        deps = deps_for(pool)
        model = f"budget-test-model-{uuid.uuid4()}"  # a window of its own (reruns)
        budgeted = GroqTransport(
            real,
            model=model,
            max_tokens=settings.max_completion_tokens,
            max_wait_s=settings.max_retry_after_s,
            budget=budget_for(
                deps.transaction,
                model,
                {model: ModelLimits(rpm=3, tpm=1_000_000)},
            ),
        )
        sent: list[str] = []
        for _ in range(5):
            try:
                budgeted.complete(MESSAGES)
                sent.append("sent")
            except BudgetExhausted:
                sent.append("queued")
        # Then what does not fit waits on our side, and Groq never answers 429
        # (a minute turning within these milliseconds would let more through: both sides alike)
        assert sent[:3] == ["sent"] * 3
        assert "queued" in sent
        assert fake.rate_limited == 1
