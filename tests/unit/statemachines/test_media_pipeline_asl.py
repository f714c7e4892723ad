"""The media pipeline's shape (issue 16), read from the rendered definition: the transcript path
(audio -> transcript -> stored) runs inside the parallel state beside the playback path and
never waits for it; each playback branch catches its own failure and returns it in the shape
the parallel state's ResultSelector reads; a playback failure goes to MarkFailed, a good one to
Store; a transcript failure fails the parallel state."""

from __future__ import annotations

import json
from typing import Any

from interview_platform import asl
from interview_platform.constants import STATEMACHINES_DIR

ASL: dict[str, Any] = json.loads(asl.render(STATEMACHINES_DIR / "media_pipeline.asl.json"))
STATES: dict[str, Any] = ASL["States"]
PARALLEL = STATES["ProcessMedia"]
CATCH_ALL = ["States.ALL"]


def _path(machine: dict[str, Any]) -> list[str]:
    """The states a branch runs when nothing fails, from StartAt to its end."""
    names = [machine["StartAt"]]
    while "Next" in machine["States"][names[-1]]:
        names.append(machine["States"][names[-1]]["Next"])
    assert machine["States"][names[-1]].get("End") is True
    return names


def _branch_starting_at(start: str) -> dict[str, Any]:
    [branch] = [b for b in PARALLEL["Branches"] if b["StartAt"] == start]
    return branch


def _top_level_path() -> list[str]:
    names = [ASL["StartAt"]]
    while True:
        state = STATES[names[-1]]
        if state["Type"] == "Choice":
            nxt = state["Default"]
        elif "Next" in state:
            nxt = state["Next"]
        else:
            return names
        names.append(nxt)


def test_the_transcript_is_made_and_stored_by_one_step_inside_the_parallel_state() -> None:
    # Given the rendered definition
    assert PARALLEL["Type"] == "Parallel"
    # Then Transcribe is no top-level state
    assert "Transcribe" not in STATES
    # And it is the whole audio branch: one Lambda extracts the WAV, transcribes it, stores and
    # announces the transcript (issue 16: no hand-offs through tmp/ or between states)
    transcript = _branch_starting_at("Transcribe")
    assert _path(transcript) == ["Transcribe"]
    task = transcript["States"]["Transcribe"]
    assert task["Parameters"]["FunctionName"] == "${TranscribeFunctionArn}"
    assert task["End"] is True
    assert task["OutputPath"] == "$.Payload"
    # And its retries cover the transcription's own errors as well as the transient ones
    named = {e for r in task["Retry"] for e in r["ErrorEquals"]}
    assert {"TranscriptionRateLimited", "TranscriptionUnavailable", "DependencyUnavailable"} <= (
        named
    )


def test_the_transcript_branch_does_not_depend_on_the_transcode() -> None:
    # Given the three branches
    starts = sorted(b["StartAt"] for b in PARALLEL["Branches"])
    assert starts == ["Thumbnail", "TranscodeMp4", "Transcribe"]
    transcript = _branch_starting_at("Transcribe")
    # Then the transcript is made in its own branch, which ends with it stored
    assert _path(transcript) == ["Transcribe"]
    # And no state of the transcript branch names the transcode's output or function
    text = json.dumps(transcript)
    assert "mp4" not in text.lower()
    assert "Transcode" not in text
    # And the transcode comes after the parallel state only through its result (no state of
    # the main path between validation and the parallel state)
    assert STATES["ProbeAndValidate"]["Next"] == "ProcessMedia"
    path = _top_level_path()
    assert path.index("ProcessMedia") < path.index("Store")


def test_a_transcript_failure_fails_the_parallel_state_into_mark_failed() -> None:
    transcript = _branch_starting_at("Transcribe")
    assert set(transcript["States"]) == {"Transcribe"}
    for name, state in transcript["States"].items():
        assert "Catch" not in state, name  # the parallel state's Catch decides
    # (a database outage past its retries first: left for the media sweep, not failed)
    assert PARALLEL["Catch"] == [
        {
            "ErrorEquals": ["DependencyUnavailable"],
            "ResultPath": "$.error",
            "Next": "LeftForTheSweep",
        },
        {"ErrorEquals": CATCH_ALL, "ResultPath": "$.error", "Next": "MarkFailed"},
    ]


def test_each_playback_branch_catches_its_own_errors_and_returns_them() -> None:
    for start in ("TranscodeMp4", "Thumbnail"):
        branch = _branch_starting_at(start)
        task = branch["States"][start]
        # Given the branch's task, after its own retries
        assert task["Retry"], start
        # Then any failure is caught inside the branch, into a Pass state that ends it
        [catch] = task["Catch"]
        assert catch["ErrorEquals"] == CATCH_ALL
        caught = branch["States"][catch["Next"]]
        assert caught["Type"] == "Pass"
        assert caught.get("End") is True
        # And both ends of the branch give the same keys: the made key, or the error
        assert task["ResultSelector"] == {"key.$": "$.Payload.key", "error": None}
        assert caught["Parameters"] == {"key": None, "error.$": catch["ResultPath"]}


def test_the_parallel_result_reads_only_keys_every_branch_end_has() -> None:
    ends = {
        0: {"wav_key"},  # Transcribe's TranscriptStored (wav_key, stored)
        1: {"key", "error"},
        2: {"key", "error"},
    }
    order = [b["StartAt"] for b in PARALLEL["Branches"]]
    assert order == ["Transcribe", "TranscodeMp4", "Thumbnail"]
    assert PARALLEL["ResultPath"] == "$.outputs"
    for field, path in PARALLEL["ResultSelector"].items():
        index, key = path.removeprefix("$[").split("].")
        assert key in ends[int(index)], field
    assert set(PARALLEL["ResultSelector"]) == {
        "wav_key.$", "mp4_key.$", "transcode_error.$", "thumbnail_key.$", "thumbnail_error.$"
    }  # fmt: skip


def test_a_playback_failure_goes_to_mark_failed_and_a_made_playback_to_store() -> None:
    choice = STATES[PARALLEL["Next"]]
    assert choice["Type"] == "Choice"
    assert choice["Default"] == "Store"
    [rule] = choice["Choices"]
    assert rule["Next"] == "MarkFailed"
    checked = {c["Not"]["Variable"] for c in rule["Or"] if c["Not"].get("IsNull") is True}
    assert checked == {"$.outputs.transcode_error", "$.outputs.thumbnail_error"}
    assert STATES["Store"]["Next"] == "Processed"
    assert STATES["MarkFailed"]["Next"] == "Failed"
