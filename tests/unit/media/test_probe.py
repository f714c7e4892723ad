# ruff: noqa: E501 - ffmpeg prints long lines, copied verbatim
"""Probe parsing and validation rules: the file's real type decides, not its name."""

from __future__ import annotations

import pytest

from shared.media.errors import MediaRejected
from shared.media.probe import (
    Expectation,
    Probe,
    decoded_duration_s,
    is_truncated,
    parse_ffmpeg_info,
    validate,
)

WEBM_INFO = """Input #0, matroska,webm, from '/tmp/t.webm':
  Metadata:
    ENCODER         : Lavf63.1.102
  Duration: 00:00:04.01, start: 0.000000, bitrate: 213 kb/s
  Stream #0:0: Video: vp8, yuv420p(tv, progressive), 1280x720, SAR 1:1 DAR 4:3, 15 fps
  Stream #0:1: Audio: opus, 48000 Hz, mono, fltp, start 0.006000
At least one output file must be specified
"""
MP4_INFO = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '/tmp/m4.mp4':
  Duration: 00:00:03.00, start: 0.000000, bitrate: 300 kb/s
  Stream #0:0[0x1](und): Video: mpeg4 (Simple Profile) (mp4v / 0x7634706D), yuv420p, 320x240 [SAR 1:1 DAR 4:3], 210 kb/s, 15 fps
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s
"""
RANDOM_INFO = """[in#0 @ 0x5] Format matroska,webm detected only with low score of 1, misdetection possible!
[in#0 @ 0x5] EBML header parsing failed
Error opening input file /tmp/r.webm.
"""
VIDEO = Expectation(media_kind="video", content_type="video/webm", time_limit_s=60, margin_s=5)


def test_parse_reads_container_codecs_size_and_duration() -> None:
    probe = parse_ffmpeg_info(WEBM_INFO)
    assert probe == Probe("matroska,webm", 4.01, "vp8", "opus", 1280, 720)


def test_parse_reads_mp4_streams_with_ids_and_languages() -> None:
    probe = parse_ffmpeg_info(MP4_INFO)
    assert (probe.container, probe.video_codec, probe.audio_codec) == (
        "mov,mp4,m4a,3gp,3g2,mj2",
        "mpeg4",
        "aac",
    )
    assert (probe.width, probe.height) == (320, 240)


def test_parse_refuses_random_bytes() -> None:
    with pytest.raises(MediaRejected, match="not a readable"):
        parse_ffmpeg_info(RANDOM_INFO)


def test_decoded_duration_is_the_last_progress_time() -> None:
    progress = "out_time_us=1000000\nprogress=continue\nout_time_us=8413500\nprogress=end\n"
    assert decoded_duration_s(progress) == pytest.approx(8.4135)
    assert decoded_duration_s("") is None


@pytest.mark.parametrize(
    ("log", "declared", "decoded", "truncated"),
    [
        ("", 10.0, 10.0, False),
        ("", None, 3.0, False),
        ("[in#0/matroska,webm] File ended prematurely", 10.0, 10.0, True),
        ("", 10.0, 8.4, True),
    ],
)
def test_truncation_is_seen_in_the_log_or_the_decoded_length(
    log: str, declared: float | None, decoded: float, truncated: bool
) -> None:
    assert is_truncated(log, declared, decoded) is truncated


def test_a_fitting_answer_passes() -> None:
    validate(parse_ffmpeg_info(WEBM_INFO), 4.0, VIDEO)


def test_declared_type_must_match_the_real_container() -> None:
    with pytest.raises(MediaRejected, match="declared as video/webm but is really mov"):
        validate(parse_ffmpeg_info(MP4_INFO), 3.0, VIDEO)


def test_unsupported_video_codec_is_refused() -> None:
    expected = Expectation(
        media_kind="video", content_type="video/mp4", time_limit_s=60, margin_s=5
    )
    with pytest.raises(MediaRejected, match="Unsupported video codec 'mpeg4'"):
        validate(parse_ffmpeg_info(MP4_INFO), 3.0, expected)


def test_audio_only_file_for_a_video_question_is_refused() -> None:
    audio_only = Probe("matroska,webm", 4.0, None, "opus", None, None)
    with pytest.raises(MediaRejected, match="no video stream"):
        validate(audio_only, 4.0, VIDEO)


def test_audio_only_file_for_an_audio_question_passes() -> None:
    audio_only = Probe("matroska,webm", 4.0, None, "opus", None, None)
    validate(audio_only, 4.0, VIDEO.__class__("audio", "audio/webm", 60, 5))


def test_too_long_is_refused_past_the_margin_only() -> None:
    probe = parse_ffmpeg_info(WEBM_INFO)
    validate(probe, 64.9, VIDEO)
    with pytest.raises(MediaRejected, match=r"lasts 65\.5 s; this question allows 60 s"):
        validate(probe, 65.5, VIDEO)
