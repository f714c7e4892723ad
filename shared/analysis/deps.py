"""The workflow's dependencies, built once per process, lazily."""

from __future__ import annotations

import random
from functools import lru_cache

from shared.analysis.budget import budget_for
from shared.analysis.engine_offline import OFFLINE_MODEL, OfflineEngine
from shared.analysis.errors import GroqRequestRejected
from shared.analysis.settings import get_analysis_settings
from shared.analysis.transcripts import media_transcript
from shared.analysis.workflow import Deps, Engine
from shared.dal.db import transaction
from shared.groq.config import groq_source


def available_engine() -> tuple[str, str]:
    """(engine, model) for a new attempt: Groq when a key is configured, else offline."""
    if groq_source().client() is not None:
        return "groq", get_analysis_settings().model
    return "offline", OFFLINE_MODEL


def engine_for(name: str) -> Engine:
    if name == "offline":
        return OfflineEngine()
    client = groq_source().client()
    if client is None:
        raise GroqRequestRejected("this analysis uses Groq, but no Groq key is configured now")
    from shared.analysis.engine_groq import GroqEngine, GroqTransport  # noqa: PLC0415
    from shared.analysis.prompts import load_prompts  # noqa: PLC0415

    settings = get_analysis_settings()
    transport = GroqTransport(
        client,
        model=settings.model,
        max_tokens=settings.max_completion_tokens,
        reasoning_effort=settings.reasoning_effort_for_model(),
        max_wait_s=settings.max_retry_after_s,
        budget=budget_for(transaction, settings.model, settings.rate_limits),
    )
    return GroqEngine(transport, load_prompts(settings.prompt_version), model=settings.model)


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    return Deps(
        transaction=transaction,
        engine_for=engine_for,
        transcripts=media_transcript,
        settings=get_analysis_settings(),
        rng=random.Random(),  # noqa: S311 - jitter, not security
        available_engine=available_engine,
    )
