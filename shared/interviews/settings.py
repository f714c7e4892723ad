"""Interviews' settings, validated once per process (env prefix ``INTERVIEWS_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, StringConstraints
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class InterviewsHrSettings(BaseSettings):
    """HR's side: playback URLs and the candidate's link."""

    model_config = SettingsConfigDict(env_prefix="INTERVIEWS_", extra="ignore")

    # A playback URL is a bearer credential for one object: short-lived (<= 15 min).
    playback_url_ttl_s: Annotated[int, Field(ge=30, le=900)] = 600
    link_path: Annotated[str, StringConstraints(pattern=r"^/[a-z0-9/_-]{1,64}$")] = "/interview"


@lru_cache(maxsize=1)
def get_hr_settings() -> InterviewsHrSettings:
    return InterviewsHrSettings()


class CandidateSettings(BaseSettings):
    """Limits of the candidate's flow."""

    model_config = SettingsConfigDict(env_prefix="INTERVIEWS_", extra="ignore")

    video_max_bytes: Annotated[int, Field(ge=1, le=5 * 1024 * MB)] = 500 * MB
    audio_max_bytes: Annotated[int, Field(ge=1, le=5 * 1024 * MB)] = 100 * MB
    # A presigned URL lives at most 15 minutes.
    upload_url_ttl_s: Annotated[int, Field(ge=60, le=900)] = 900
    # Upload URLs (POST or multipart) a question gets per attempt it allows: each upload costs a
    # transcode and a transcription, so they are not unlimited (a retry of a failed network
    # upload needs a second one, rarely a third).
    uploads_per_attempt: Annotated[int, Field(ge=1, le=20)] = 3
    idle_timeout_s: Annotated[int, Field(ge=60, le=24 * 3600)] = 30 * 60
    # Past a template's total time limit, the answer in flight may still be uploaded and
    # submitted for this long; then the interview completes (auto_timeout).
    time_limit_grace_s: Annotated[int, Field(ge=0, le=3600)] = 120
    sweep_batch_size: Annotated[int, Field(ge=1, le=500)] = 50
    sweep_max_batches: Annotated[int, Field(ge=1, le=100)] = 20


@lru_cache(maxsize=1)
def get_candidate_settings() -> CandidateSettings:
    return CandidateSettings()
