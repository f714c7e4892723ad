"""What a media file really is, read from ``ffmpeg -i`` output (the static ffmpeg ships no
ffprobe), and the rules a candidate's answer must meet. Pure: no processes, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from shared.media.errors import MediaRejected

# ffmpeg's demuxer names -> the content types a client may declare for them.
CONTAINER_TYPES: dict[str, frozenset[str]] = {
    "matroska,webm": frozenset({"video/webm", "audio/webm"}),
    "mov,mp4,m4a,3gp,3g2,mj2": frozenset({"video/mp4", "video/quicktime", "audio/mp4"}),
    "mp3": frozenset({"audio/mpeg"}),
    "ogg": frozenset({"audio/ogg"}),
    "wav": frozenset({"audio/wav"}),
}
VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1"})
AUDIO_CODECS = frozenset({"aac", "opus", "vorbis", "mp3", "pcm_s16le", "pcm_f32le", "flac"})
# Warnings that mean the bytes end before the container says they do.
_TRUNCATION_MARKERS = ("File ended prematurely", "Truncating packet", "Invalid data found")
_UNREADABLE_MARKERS = ("Invalid data found", "EBML header parsing failed", "misdetection possible")

_INPUT = re.compile(r"^Input #0, (?P<format>[^ ]+), from ", re.MULTILINE)
_DURATION = re.compile(r"Duration: (?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)")
_STREAM = re.compile(
    r"Stream #0:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: (?P<kind>Video|Audio): (?P<codec>[a-z0-9_]+)"
    r"(?P<rest>[^\n]*)"
)
_SIZE = re.compile(r", (?P<w>\d{2,5})x(?P<h>\d{2,5})[ ,]")
_OUT_TIME = re.compile(r"^out_time_us=(?P<us>\d+)$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Probe:
    container: str
    duration_s: float | None
    video_codec: str | None
    audio_codec: str | None
    width: int | None
    height: int | None


def parse_ffmpeg_info(stderr: str) -> Probe:
    """Parse ``ffmpeg -hide_banner -i FILE`` (stderr). Raises MediaRejected when ffmpeg could not
    recognise the file at all."""
    match = _INPUT.search(stderr)
    if match is None or any(marker in stderr for marker in _UNREADABLE_MARKERS[:2]):
        raise MediaRejected("The file is not a readable audio or video file.")
    duration = _DURATION.search(stderr)
    video_codec = audio_codec = None
    width = height = None
    for stream in _STREAM.finditer(stderr):
        if stream["kind"] == "Video" and video_codec is None:
            # Cover art in an audio file is a "video" stream of one picture: not a video.
            if "(attached pic)" in stream["rest"]:
                continue
            video_codec = stream["codec"]
            size = _SIZE.search(stream["rest"])
            if size is not None:
                width, height = int(size["w"]), int(size["h"])
        elif stream["kind"] == "Audio" and audio_codec is None:
            audio_codec = stream["codec"]
    return Probe(
        container=match["format"],
        duration_s=(
            int(duration["h"]) * 3600 + int(duration["m"]) * 60 + float(duration["s"])
            if duration
            else None
        ),
        video_codec=video_codec,
        audio_codec=audio_codec,
        width=width,
        height=height,
    )


def decoded_duration_s(progress: str) -> float | None:
    """The last ``out_time_us`` of ``ffmpeg -progress pipe:1`` output: how far decoding got."""
    times = [int(m["us"]) for m in _OUT_TIME.finditer(progress)]
    return times[-1] / 1_000_000 if times else None


def is_truncated(decode_log: str, declared_s: float | None, decoded_s: float | None) -> bool:
    if any(marker in decode_log for marker in _TRUNCATION_MARKERS):
        return True
    # Half a second of slack: container durations round and the last frame has a length.
    return declared_s is not None and decoded_s is not None and decoded_s < declared_s - 0.5


@dataclass(frozen=True, slots=True)
class Expectation:
    media_kind: Literal["video", "audio"]
    content_type: str
    time_limit_s: int
    margin_s: float


def validate(probe: Probe, duration_s: float, expected: Expectation) -> None:
    """Raise MediaRejected with a readable reason when the file does not fit its question."""
    declared = expected.content_type
    allowed = CONTAINER_TYPES.get(probe.container)
    if allowed is None:
        raise MediaRejected(f"Unsupported container '{probe.container}'.")
    if declared not in allowed:
        raise MediaRejected(
            f"The file was declared as {declared} but is really {probe.container.split(',')[0]}."
        )
    if expected.media_kind == "video" and probe.video_codec is None:
        raise MediaRejected("A video answer was expected, but the file has no video stream.")
    if probe.video_codec is not None and probe.video_codec not in VIDEO_CODECS:
        raise MediaRejected(f"Unsupported video codec '{probe.video_codec}'.")
    if probe.audio_codec is not None and probe.audio_codec not in AUDIO_CODECS:
        raise MediaRejected(f"Unsupported audio codec '{probe.audio_codec}'.")
    if probe.audio_codec is None and expected.media_kind == "audio":
        raise MediaRejected("An audio answer was expected, but the file has no audio stream.")
    if duration_s <= 0:
        raise MediaRejected("The recording is empty (no playable duration).")
    limit = expected.time_limit_s + expected.margin_s
    if duration_s > limit:
        raise MediaRejected(
            f"The recording lasts {duration_s:.1f} s; this question allows "
            f"{expected.time_limit_s} s."
        )
