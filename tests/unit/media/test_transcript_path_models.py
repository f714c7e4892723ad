"""The models of the transcript path (issue 16): media.failed stays readable without the new
``transcriptKept``; MarkFailed finds the error where the workflow left it (``$.error`` after a
Catch, or a playback branch's error in the outputs) and the step it names."""

from __future__ import annotations

import json
import uuid

from scripts.event_schemas import SCHEMAS_DIR
from shared.media.models import FailureInput, Outputs, StepError
from shared.models.events.media import MediaFailed

IDS = {
    "mediaId": str(uuid.uuid4()),
    "uploadId": str(uuid.uuid4()),
    "invitationId": str(uuid.uuid4()),
    "questionId": str(uuid.uuid4()),
}


def test_a_media_failed_payload_from_before_the_field_still_reads_as_nothing_kept() -> None:
    # Given a media.failed payload as producers wrote it before issue 16
    old = {**IDS, "failedStep": "validating", "reason": "The file is empty (0 bytes)."}
    # Then it validates, with no transcript kept, and the schema does not require the field
    assert MediaFailed.model_validate(old).transcript_kept is False
    schema = json.loads((SCHEMAS_DIR / "media.failed.json").read_text())
    assert "transcriptKept" not in schema["properties"]["payload"]["required"]
    assert "transcriptKept" in schema["properties"]["payload"]["properties"]


def test_mark_failed_reads_a_caught_error_at_its_usual_place_and_names_no_step() -> None:
    failure = FailureInput.model_validate(
        {"asset_id": str(uuid.uuid4()), "error": {"Error": "TranscriptionRefused", "Cause": "x"}}
    )
    error, step = failure.caught()
    assert (error.error, error.cause, step) == ("TranscriptionRefused", "x", None)


def test_mark_failed_reads_a_playback_branch_error_from_the_outputs_as_transcoding() -> None:
    for field in ("transcode_error", "thumbnail_error"):
        state = {
            "asset_id": str(uuid.uuid4()),
            "outputs": {
                "wav_key": "tmp/a/b/c/audio.wav",
                "mp4_key": None,
                "thumbnail_key": None,
                "transcode_error": None,
                "thumbnail_error": None,
                field: {"Error": "States.Timeout", "Cause": ""},
            },
        }
        error, step = FailureInput.model_validate(state).caught()
        assert (error.error, step) == ("States.Timeout", "transcoding"), field


def test_outputs_without_errors_have_no_playback_error() -> None:
    assert Outputs(mp4_key="media/a/answer.mp4").playback_error is None
    error = StepError(error="TranscodeFailed")
    assert Outputs(thumbnail_error=error).playback_error == error
