"""The pipeline's dependencies, built once per process (lazily) for the step handlers."""

from __future__ import annotations

from functools import lru_cache

from shared.dal.db import transaction
from shared.media.ffmpeg import Ffmpeg
from shared.media.pipeline import Deps
from shared.media.settings import get_media_settings
from shared.media.transcribe import Transcriber, transcriber_for


def _transcriber() -> Transcriber:
    from shared.groq.config import groq_source  # noqa: PLC0415 - only the transcribe step

    return transcriber_for(groq_source().client(), get_media_settings())


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    settings = get_media_settings()
    return Deps(
        transaction=transaction,
        settings=settings,
        ffmpeg=Ffmpeg(
            configured=settings.ffmpeg_path,
            threads=settings.ffmpeg_threads,
            timeout_s=settings.ffmpeg_timeout_s,
        ),
        transcriber=_transcriber,
    )
