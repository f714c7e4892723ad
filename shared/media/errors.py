"""Errors of the media pipeline. Their class names are the error names Step Functions sees
(the Lambda's ``errorType``), so ``statemachines/media_pipeline.asl.json`` retries by name."""

from __future__ import annotations


class MediaError(Exception):
    """Base: a reason a human can read (it becomes the media's failure reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---- permanent: the workflow marks the media failed --------------------------------------
class MediaRejected(MediaError):
    """The upload is not acceptable (empty, corrupt, wrong type, too long...)."""


class UnknownUpload(MediaError):
    """An object under raw/ that no upload row names."""


class TranscodeFailed(MediaError):
    """ffmpeg could not make an output from a file that passed validation."""


class TranscriptMissing(MediaError):
    """The playback was made but the asset has no stored transcript (never expected: the
    parallel state ends only after the Transcribe step)."""


class TranscriptionMalformed(MediaError):
    """The transcription service answered with a body we cannot read."""


# ---- transient: the workflow retries these with backoff and jitter ------------------------
class MediaTransientError(MediaError):
    """Storage or database briefly unavailable."""


class TranscriptionRateLimited(MediaError):
    """Rate limited longer than this invocation could wait (retry-after honoured first)."""


class TranscriptionUnavailable(MediaError):
    """The transcription service failed (5xx, timeout, connection)."""


class TranscriptionRefused(MediaError):
    """The transcription service refused the request for good (a 4xx other than 429)."""


class SweepUnavailable(Exception):
    """Step Functions or S3 could not be asked now; the media sweep tries again next time."""
