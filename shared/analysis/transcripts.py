"""Where an answer's transcript comes from: the media context's reads, behind our interface."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

import psycopg

from shared.analysis.models import Transcript


class TranscriptSource(Protocol):
    def __call__(self, conn: psycopg.Connection[Any], upload_id: UUID) -> Transcript | None: ...


def media_transcript(conn: psycopg.Connection[Any], upload_id: UUID) -> Transcript | None:
    """``shared.media.public.transcript_for_upload`` mapped to our model."""
    from shared.media.public import transcript_for_upload  # noqa: PLC0415 - media's reads on use

    found: Any = transcript_for_upload(conn, upload_id)
    if found is None:
        return None
    data = found.model_dump(mode="json") if hasattr(found, "model_dump") else found
    return Transcript.model_validate(data, from_attributes=True)
