"""Settings of the media pipeline, read once per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024


class MediaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDIA_", extra="ignore")

    # Where ffmpeg is: the layer's /opt/bin/ffmpeg in Lambda; imageio-ffmpeg's copy in tests.
    ffmpeg_path: Annotated[str, Field(max_length=512)] | None = None
    # A recording may run this much past the question's time limit (the browser stops late).
    duration_margin_s: Annotated[float, Field(ge=0, le=120)] = 5.0
    max_height: Annotated[int, Field(ge=144, le=2160)] = 720
    x264_preset: Annotated[str, Field(pattern=r"^[a-z]+$", max_length=16)] = "veryfast"
    ffmpeg_threads: Annotated[int, Field(ge=0, le=16)] = 2
    # Below the function's own timeout, so a stuck ffmpeg ends with a reason, not a kill.
    ffmpeg_timeout_s: Annotated[float, Field(gt=0, le=900)] = 600.0
    # Groq's file limit is 25 MB: chunk below it. Overlap lets words cut at a boundary survive.
    transcribe_chunk_max_bytes: Annotated[int, Field(ge=64 * 1024, le=25 * MiB)] = 24 * MiB
    transcribe_overlap_s: Annotated[float, Field(ge=0, le=30)] = 2.0
    transcribe_model: Annotated[str, Field(max_length=100)] = "whisper-large-v3-turbo"
    # How long one invocation may sleep for retry-after, in all, before it gives up
    # (TranscriptionRateLimited, which the state machine retries later).
    rate_limit_budget_s: Annotated[float, Field(ge=0, le=600)] = 60.0
    rate_limit_attempts: Annotated[int, Field(ge=1, le=10)] = 4
    playback_url_ttl_s: Annotated[int, Field(ge=60, le=900)] = 900
    # The sweep (shared/media/sweep.py): the state machine it re-drives (MEDIA_STATE_MACHINE_ARN,
    # set on the sweep only); how long an asset or a submitted upload must sit unfinished
    # before it is looked at (Step Functions then says whether its execution still runs);
    # and how old an asset may be before it is failed rather than re-driven.
    state_machine_arn: Annotated[str, Field(max_length=2048)] | None = None
    sweep_min_age_s: Annotated[float, Field(ge=0, le=86400)] = 180.0
    sweep_max_age_s: Annotated[float, Field(ge=60, le=7 * 86400)] = 6 * 3600.0
    sweep_limit: Annotated[int, Field(ge=1, le=1000)] = 100


@lru_cache(maxsize=1)
def get_media_settings() -> MediaSettings:
    return MediaSettings()
