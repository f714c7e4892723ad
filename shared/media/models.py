"""Models of the media pipeline's boundaries: what the steps hand each other (Step Functions
state), database rows, and what HR and the analysis room read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from shared.media.transcript import Segment, Transcript
from shared.models.base import Model

MediaKind = Literal["video", "audio"]
Status = Literal[
    "uploaded", "validating", "transcoding", "transcribing", "storing", "ready", "failed"
]
Step = Literal["uploaded", "validating", "transcoding", "transcribing", "storing"]
# Each of the two paths after validation: the transcript (audio -> transcript) and the playback
# (MP4 and thumbnail). The transcript is stored as soon as it exists, whatever the playback does.
PathStatus = Literal["pending", "ready", "failed"]
Key = Annotated[str, Field(min_length=1, max_length=1024)]

__all__ = ["Segment", "Transcript"]


class S3Object(Model):
    """The object an S3 "Object Created" event names."""

    model_config = ConfigDict(frozen=True)

    bucket: Annotated[str, Field(min_length=3, max_length=63)]
    key: Key
    version_id: Annotated[str, Field(max_length=1024)] = ""
    size_bytes: Annotated[int, Field(ge=0)] = 0


class UploadRow(Model):
    """The upload the candidate asked for (interviews.uploads + its question)."""

    id: UUID
    company_id: UUID
    invitation_id: UUID
    question_id: UUID
    content_type: Annotated[str, Field(max_length=100)]
    media_kind: MediaKind
    max_bytes: Annotated[int, Field(gt=0)]
    time_limit_s: Annotated[int, Field(ge=1, le=3600)]
    # The object version the candidate submitted as the answer (None until submitted).
    pinned_version_id: Annotated[str, Field(max_length=1024)] | None = None


class StepError(Model):
    """What a Catch puts at ``$.error``."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    error: Annotated[str, Field(alias="Error", max_length=256)] = "States.Unknown"
    cause: Annotated[str, Field(alias="Cause", max_length=32768)] = ""


class Outputs(Model):
    """What the parallel state made (its ResultSelector). A playback branch catches its own
    failure and returns it here, so that it never cancels the transcript."""

    mp4_key: Key | None = None
    wav_key: Key | None = None
    thumbnail_key: Key | None = None
    transcode_error: StepError | None = None
    thumbnail_error: StepError | None = None

    @property
    def playback_error(self) -> StepError | None:
        return self.transcode_error or self.thumbnail_error


class PipelineState(Model):
    """What flows between the steps of one execution (kept small: names and facts only)."""

    model_config = ConfigDict(extra="ignore")

    duplicate: bool = False
    asset_id: UUID
    upload_id: UUID
    company_id: UUID
    invitation_id: UUID
    question_id: UUID
    source: S3Object
    content_type: Annotated[str, Field(max_length=100)]
    media_kind: MediaKind
    time_limit_s: Annotated[int, Field(ge=1, le=3600)]
    max_bytes: Annotated[int, Field(gt=0)] | None = None
    correlation_id: Annotated[str, Field(max_length=128)]
    duration_s: Annotated[float, Field(ge=0)] | None = None
    has_video: bool = False
    has_audio: bool = False
    # The 16 kHz mono WAV the probe's decoding pass wrote (under tmp/): the transcript branch
    # transcribes it without downloading and decoding the upload again. None: no audio, or a
    # state from before the probe made it (the branch then extracts the audio itself).
    audio_key: Key | None = None
    outputs: Outputs = Field(default_factory=Outputs)


class OutputKey(Model):
    """A parallel branch's result: the key it wrote (None when it had nothing to make)."""

    key: Key | None


class TranscriptStored(Model):
    """The transcript branch's result: the WAV it was made from, and whether this call stored
    (and announced) the transcript; False when an earlier call had (a retry or a re-drive)."""

    wav_key: Key | None
    stored: bool


class FailureInput(Model):
    """MarkFailed's input: the state at the failing step (or the raw event, when registering
    failed) plus the caught error; or, when the playback failed beside a good transcript, the
    state after the parallel state, whose outputs carry the playback branch's error."""

    model_config = ConfigDict(extra="ignore")

    error: StepError | None = None
    outputs: Outputs = Field(default_factory=Outputs)
    asset_id: UUID | None = None
    detail: dict[str, Any] | None = None
    # The raw event's id (when registering failed) or the state's correlation id.
    id: Annotated[str, Field(max_length=128)] | None = None
    correlation_id: Annotated[str, Field(max_length=128)] | None = None

    def caught(self) -> tuple[StepError, Step | None]:
        """The error, and the step it names when the state does not tell (a playback branch's
        error: the asset's status may say "transcribing", the other path's step)."""
        if self.error is not None:
            return self.error, None
        playback = self.outputs.playback_error
        if playback is not None:
            return playback, "transcoding"
        return StepError(), None


class FailureOutput(Model):
    asset_id: UUID | None
    failed_step: Step
    reason: Annotated[str, Field(max_length=1000)]
    published: bool
    # The transcript was stored before the failure and stays readable.
    transcript_kept: bool = False


class MediaStatus(Model):
    """Progress of one upload: where it is and when it got to each step."""

    status: Status
    uploaded_at: datetime
    validating_at: datetime | None = None
    transcoding_at: datetime | None = None
    transcribing_at: datetime | None = None
    ready_at: datetime | None = None
    failed_at: datetime | None = None
    failed_step: Step | None = None
    reason: Annotated[str, Field(max_length=1000)] | None = None


class MediaView(Model):
    """One answer's media as HR (and the analysis room) sees it."""

    media_id: UUID
    upload_id: UUID
    question_id: UUID
    media_kind: MediaKind | None
    progress: MediaStatus
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    # Each path's own status and time: the transcript is readable (below) as soon as it is
    # stored, while the MP4 may still be transcoding, and stays when the playback fails.
    transcript_status: PathStatus
    transcript_ready_at: datetime | None = None
    playback_status: PathStatus
    playback_ready_at: datetime | None = None
    # Presigned GETs, short-lived; only once the playback is ready.
    playback_url: Annotated[str, Field(max_length=4096)] | None = None
    thumbnail_url: Annotated[str, Field(max_length=4096)] | None = None
    transcript: Transcript | None = None


class InvitationMedia(Model):
    invitation_id: UUID
    items: list[MediaView]
