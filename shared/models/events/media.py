"""Payloads of the media context's events: an upload became playable media, or failed.

Both name the upload (`upload_id`, the id in the raw key), which is how an answer refers to its
media. The transcript itself is too big for an event: read it with `shared.media` reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.models.events import EventPayload

MediaStep = Literal["uploaded", "validating", "transcoding", "transcribing", "storing"]
TranscriptEngine = Literal["groq", "offline"]


class MediaProcessed(EventPayload):
    media_id: UUID
    upload_id: UUID
    invitation_id: UUID
    question_id: UUID
    duration_s: Annotated[float, Field(ge=0)]
    mp4_key: Annotated[str, Field(max_length=512)]
    thumbnail_key: Annotated[str, Field(max_length=512)] | None = None
    transcript_engine: TranscriptEngine
    transcript_language: Annotated[str, Field(max_length=16)] | None = None


class MediaTranscribed(EventPayload):
    media_id: UUID
    upload_id: UUID
    invitation_id: UUID
    question_id: UUID
    duration_s: Annotated[float, Field(ge=0)]
    transcript_engine: TranscriptEngine
    transcript_language: Annotated[str, Field(max_length=16)] | None = None
    transcribed_at: datetime


class MediaFailed(EventPayload):
    media_id: UUID
    upload_id: UUID
    invitation_id: UUID
    question_id: UUID
    failed_step: MediaStep
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    transcript_kept: bool = False


MEDIA_EVENTS: dict[str, type[BaseModel]] = {
    "media.transcribed": MediaTranscribed,
    "media.processed": MediaProcessed,
    "media.failed": MediaFailed,
}
