"""Object keys of the media bucket: one layout, built and parsed here only.

Raw uploads: ``raw/{company_id}/{invitation_id}/{question_id}/{upload_id}.{ext}``. The pipeline's
outputs live under ``media/`` with the same ids, so deleting an invitation's media is two prefixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

RAW_PREFIX = "raw/"
PROCESSED_PREFIX = "media/"

EXTENSIONS: dict[str, str] = {
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
    "audio/webm": "webm",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
}

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_RAW = re.compile(
    rf"^raw/(?P<company>{_UUID})/(?P<invitation>{_UUID})/(?P<question>{_UUID})"
    rf"/(?P<upload>{_UUID})\.(?P<ext>[a-z0-9]{{2,5}})$"
)


@dataclass(frozen=True, slots=True)
class RawKey:
    company_id: UUID
    invitation_id: UUID
    question_id: UUID
    upload_id: UUID
    ext: str

    def __str__(self) -> str:
        return (
            f"{RAW_PREFIX}{self.company_id}/{self.invitation_id}/{self.question_id}"
            f"/{self.upload_id}.{self.ext}"
        )

    def processed_prefix(self) -> str:
        """Where the pipeline writes this upload's outputs (mp4, thumbnail, wav)."""
        return f"{PROCESSED_PREFIX}{self.company_id}/{self.invitation_id}/{self.upload_id}/"


def raw_key(
    company_id: UUID, invitation_id: UUID, question_id: UUID, upload_id: UUID, content_type: str
) -> RawKey:
    return RawKey(company_id, invitation_id, question_id, upload_id, EXTENSIONS[content_type])


def parse_raw_key(key: str) -> RawKey | None:
    """The ids in a raw upload's key, or None when the key is not one of ours."""
    match = _RAW.match(key)
    if match is None:
        return None
    return RawKey(
        UUID(match["company"]),
        UUID(match["invitation"]),
        UUID(match["question"]),
        UUID(match["upload"]),
        match["ext"],
    )


def invitation_prefixes(company_id: UUID, invitation_id: UUID) -> tuple[str, str]:
    """Every object of one invitation lives under these two prefixes."""
    return (
        f"{RAW_PREFIX}{company_id}/{invitation_id}/",
        f"{PROCESSED_PREFIX}{company_id}/{invitation_id}/",
    )


TMP_PREFIX = "tmp/"


def tmp_prefix(company_id: UUID, invitation_id: UUID, upload_id: UUID) -> str:
    """Where the pipeline keeps an upload's temporary objects (audio for transcription, the
    transcript between steps); a lifecycle rule expires them."""
    return f"{TMP_PREFIX}{company_id}/{invitation_id}/{upload_id}/"


def invitation_tmp_prefix(company_id: UUID, invitation_id: UUID) -> str:
    return f"{TMP_PREFIX}{company_id}/{invitation_id}/"
