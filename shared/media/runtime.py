"""The pipeline's dependencies, built once per process (lazily) for the step handlers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg

from shared.dal.db import get_pool
from shared.events.relay import transaction_with_events
from shared.media.ffmpeg import Ffmpeg
from shared.media.pipeline import PipelineDeps
from shared.media.settings import get_media_settings
from shared.media.transcribe import Transcriber, transcriber_for


@contextmanager
def _transaction() -> Iterator[psycopg.Connection[Any]]:
    """One transaction; events it enqueued are relayed right after the commit."""
    with transaction_with_events(get_pool()) as conn:
        yield conn


def _transcriber() -> Transcriber:
    from shared.groq.config import groq_source  # noqa: PLC0415 - only the transcribe step

    return transcriber_for(groq_source().client(), get_media_settings())


@lru_cache(maxsize=1)
def pipeline_deps() -> PipelineDeps:
    settings = get_media_settings()
    return PipelineDeps(
        transaction=_transaction,
        settings=settings,
        ffmpeg=Ffmpeg(
            configured=settings.ffmpeg_path,
            threads=settings.ffmpeg_threads,
            timeout_s=settings.ffmpeg_timeout_s,
        ),
        transcriber=_transcriber,
    )
