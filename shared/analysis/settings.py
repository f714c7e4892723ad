"""The analysis settings, read from the environment once (``ANALYSIS_*``), validated."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.analysis.models import Usage

DEFAULT_MODEL = "openai/gpt-oss-120b"
# Groq's published on-demand price of openai/gpt-oss-120b (groq.com/pricing, USD per million
# tokens): input 0.15, output 0.60. Override per deployment when the price list changes.
PRICE_INPUT_PER_MTOK_USD = 0.15
PRICE_OUTPUT_PER_MTOK_USD = 0.60
# Models Groq lets choose a reasoning effort for (low | medium | high; medium by default).
REASONING_MODEL_PREFIXES = ("openai/gpt-oss-",)


class ModelLimits(BaseModel):
    """A model's budget per minute on our Groq account (its organisation's rate limits)."""

    rpm: Annotated[int, Field(ge=1, le=1_000_000)]
    tpm: Annotated[int, Field(ge=1, le=100_000_000)]


class AnalysisSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ANALYSIS_", extra="ignore")

    model: Annotated[str, Field(min_length=1, max_length=200)] = DEFAULT_MODEL
    prompt_version: Annotated[str, Field(pattern=r"^v[0-9]+$", max_length=16)] = "v3"
    # Answers analysed at once (the Map state's MaxConcurrency): within Groq's rate limits.
    max_concurrency: Annotated[int, Field(ge=1, le=40)] = 5
    max_completion_tokens: Annotated[int, Field(ge=64, le=8192)] = 1500
    # Scoring against a rubric with verbatim quotes needs little deliberation; reasoning tokens
    # count against max_completion_tokens (medium risks a cut-off JSON), cost output price and
    # add latency. Sent only to models that accept it.
    reasoning_effort: Literal["low", "medium", "high"] = "low"
    # A 429 asking us to wait longer than this is a spent quota: fail fast instead.
    max_retry_after_s: Annotated[float, Field(gt=0, le=3600)] = 60.0
    # How often one step waits out a 429's retry-after before giving up.
    max_rate_limit_waits: Annotated[int, Field(ge=0, le=20)] = 8
    # Groq's request and token budgets per model, shared by every interview (PostgreSQL counts
    # the calls of the last 60 s): a call that does not fit waits for room rather than earning
    # a 429. JSON in ANALYSIS_RATE_LIMITS, e.g. {"openai/gpt-oss-120b": {"rpm": 30,
    # "tpm": 8000}} (Groq's free tier); a model not named has no budget of ours.
    rate_limits: dict[str, ModelLimits] = {}
    # How often one step waits for room in the shared budget before giving up (a burst queues:
    # 120 waits of up to a minute each, within the workflows' timeouts).
    max_budget_waits: Annotated[int, Field(ge=0, le=1000)] = 120
    # The workflows the trigger starts itself right after its commit, beside the rules
    # (ANALYSIS_STATE_MACHINE_ARN, ANALYSIS_ANSWER_STATE_MACHINE_ARN; set on the trigger only,
    # see shared/analysis/starts.py); unset, the rules alone start them.
    state_machine_arn: Annotated[str, Field(max_length=2048)] | None = None
    answer_state_machine_arn: Annotated[str, Field(max_length=2048)] | None = None
    # A running attempt with no execution recorded after this long lost its start (sweep).
    start_grace_s: Annotated[float, Field(ge=60, le=86400)] = 900.0
    # A completed invitation's analysis still waiting for media this long is re-checked
    # against the media's own rows (an event the trigger missed; the sweep).
    trigger_sweep_min_age_s: Annotated[float, Field(ge=0, le=86400)] = 180.0
    # The sweep asks Step Functions only about attempts running at least this long.
    sweep_min_age_s: Annotated[float, Field(ge=0, le=3600)] = 120.0
    # Running attempts one sweep checks (oldest first).
    sweep_limit: Annotated[int, Field(ge=1, le=1000)] = 200
    price_input_per_mtok_usd: Annotated[float, Field(ge=0, le=1000)] = PRICE_INPUT_PER_MTOK_USD
    price_output_per_mtok_usd: Annotated[float, Field(ge=0, le=1000)] = PRICE_OUTPUT_PER_MTOK_USD

    def reasoning_effort_for_model(self) -> str | None:
        return self.reasoning_effort if self.model.startswith(REASONING_MODEL_PREFIXES) else None

    def cost_usd(self, usage: Usage) -> float:
        return round(
            usage.prompt_tokens * self.price_input_per_mtok_usd / 1e6
            + usage.completion_tokens * self.price_output_per_mtok_usd / 1e6,
            6,
        )


@lru_cache(maxsize=1)
def get_analysis_settings() -> AnalysisSettings:
    return AnalysisSettings()
