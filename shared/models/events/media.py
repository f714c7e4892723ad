"""Payloads of the media context's events: an upload's transcript was stored, the upload became
playable media, or it failed.

Each names the upload (`upload_id`, the id in the raw key), which is how an answer refers to its
media. The transcript itself is too big for an event: read it with `shared.media` reads.

An answer's transcript does not wait for its MP4 (issue 16): `media.transcribed` comes as soon as
the transcript is stored, usually before `media.processed`; a playback failure after it is
`media.failed` with `transcript_kept` (the transcript stays readable).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.models.events import EventPayload

MediaStep = Literal["uploaded", "validating", "transcoding", "transcribing", "storing"]
TranscriptEngine = Literal["groq", "offline"]


class MediaTranscribed(EventPayload):
    media_id: UUID
    upload_id: UUID
    invitation_id: UUID
    question_id: UUID
    duration_s: Annotated[float, Field(ge=0)]
    transcript_engine: TranscriptEngine
    transcript_language: Annotated[str, Field(max_length=16)] | None = None
    transcribed_at: datetime


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


class MediaFailed(EventPayload):
    media_id: UUID
    upload_id: UUID
    invitation_id: UUID
    question_id: UUID
    failed_step: MediaStep
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    # The transcript was stored before the failure (the playback failed) and stays readable.
    transcript_kept: bool = False


MEDIA_EVENTS: dict[str, type[BaseModel]] = {
    "media.transcribed": MediaTranscribed,
    "media.processed": MediaProcessed,
    "media.failed": MediaFailed,
}
