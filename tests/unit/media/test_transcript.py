"""Chunking a WAV under the size limit and stitching chunk transcripts on one timeline."""

from __future__ import annotations

import itertools
import wave
from pathlib import Path

import pytest

from shared.media.pipeline import failure_reason
from shared.media.transcript import Segment, split_wav, stitch


def _silent_wav(path: Path, seconds: float, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(seconds * rate))
    return path


def test_small_audio_is_one_chunk(tmp_path: Path) -> None:
    wav = _silent_wav(tmp_path / "a.wav", 2)
    chunks = split_wav(wav, 1024 * 1024, 1.0)
    assert len(chunks) == 1
    assert chunks[0].offset_s == 0.0


def test_large_audio_is_split_under_the_limit_with_overlap(tmp_path: Path) -> None:
    # Given 30 s of 16 kHz mono (960 KB) and a 200 KB limit
    wav = _silent_wav(tmp_path / "a.wav", 30)
    # When it is split with a 1 s overlap
    chunks = split_wav(wav, 200_000, 1.0)
    # Then every chunk fits, consecutive chunks overlap by 1 s, and together they cover 30 s
    assert all(len(c.wav) <= 200_000 for c in chunks)
    assert len(chunks) == 6
    window = (200_000 - 1024) // 2 / 16000
    for before, after in itertools.pairwise(chunks):
        assert after.offset_s == pytest.approx(before.offset_s + window - 1.0, abs=1e-3)
    last = chunks[-1]
    assert last.offset_s + (len(last.wav) - 44) / 32000 == pytest.approx(30.0, abs=0.01)


def test_stitch_keeps_each_overlapping_segment_once_and_shifts_to_absolute_time() -> None:
    # Given two chunks at 0 s and 8 s overlapping by 2 s; the word at 8.5-9.5 s is in both
    first = [Segment(start=1, end=2, text="one"), Segment(start=8.5, end=9.5, text="two")]
    second = [Segment(start=0.5, end=1.5, text="two"), Segment(start=4, end=5, text="three")]
    # When stitched
    segments = stitch([(0.0, first), (8.0, second)], overlap_s=2.0)
    # Then "two" appears once, at its absolute time, and times only go forward
    assert [s.text for s in segments] == ["one", "two", "three"]
    assert [(s.start, s.end) for s in segments] == [(1, 2), (8.5, 9.5), (12, 13)]


def test_stitch_forces_monotonic_times() -> None:
    segments = stitch(
        [(0.0, [Segment(start=0, end=5, text="a"), Segment(start=4, end=6, text="b")])], 0
    )
    assert segments[1].start >= segments[0].end


@pytest.mark.parametrize(
    ("error", "cause", "reason"),
    [
        (
            "MediaRejected",
            '{"errorMessage": "The file is empty (0 bytes)."}',
            "The file is empty (0 bytes).",
        ),
        ("States.Timeout", "", "Processing took too long and was stopped."),
        (
            "KeyError",
            '{"errorMessage": "secret", "stackTrace": []}',
            "Processing failed unexpectedly (KeyError).",
        ),
    ],
)
def test_failure_reasons_are_readable_and_leak_nothing(error: str, cause: str, reason: str) -> None:
    assert failure_reason(error, cause) == reason
