"""The transcript model and the pure parts of transcription: chunking a WAV under the upload
limit (fixed windows with overlap) and stitching chunk results on one monotonic timeline."""

from __future__ import annotations

import io
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from shared.models.base import Model

Engine = Literal["groq", "offline"]


class Segment(Model):
    model_config = ConfigDict(frozen=True)

    start: Annotated[float, Field(ge=0)]
    end: Annotated[float, Field(ge=0)]
    text: Annotated[str, Field(max_length=5000)]


class Transcript(Model):
    model_config = ConfigDict(frozen=True)

    text: Annotated[str, Field(max_length=200_000)]
    language: Annotated[str, Field(max_length=16)] | None
    # Which engine made it: never present the offline one as Groq's.
    engine: Engine
    model: Annotated[str, Field(max_length=100)]
    segments: list[Segment]
    chunks: Annotated[int, Field(ge=1)] = 1


@dataclass(frozen=True, slots=True)
class Chunk:
    offset_s: float
    wav: bytes


def split_wav(path: Path, max_bytes: int, overlap_s: float) -> list[Chunk]:
    """WAV files each under ``max_bytes`` (header included), overlapping by ``overlap_s``."""
    if path.stat().st_size <= max_bytes:
        return [Chunk(0.0, path.read_bytes())]
    with wave.open(str(path), "rb") as source:
        params = source.getparams()
        frame_bytes = params.sampwidth * params.nchannels
        rate = params.framerate
        window = (max_bytes - 1024) // frame_bytes  # room for the header
        overlap = int(overlap_s * rate)
        if window <= overlap * 2:
            raise ValueError("chunk window must be more than twice the overlap")
        step = window - overlap
        chunks: list[Chunk] = []
        start = 0
        while start < params.nframes:
            source.setpos(start)
            frames = source.readframes(window)
            buffer = io.BytesIO()
            with wave.open(buffer, "wb") as out:
                out.setparams(params)
                out.writeframes(frames)
            chunks.append(Chunk(start / rate, buffer.getvalue()))
            if start + window >= params.nframes:
                break
            start += step
    return chunks


def stitch(parts: Sequence[tuple[float, Sequence[Segment]]], overlap_s: float) -> list[Segment]:
    """One timeline from per-chunk segments (times relative to each chunk's ``offset_s``).

    Where two chunks overlap, the cut is the middle of the overlap: each segment is kept from
    the chunk in which its midpoint falls, so a sentence is neither lost nor repeated. Times are
    then forced monotonic (a segment never starts before the previous one ended).
    """
    kept: list[Segment] = []
    for index, (offset, segments) in enumerate(parts):
        lower = offset + overlap_s / 2 if index > 0 else float("-inf")
        upper = parts[index + 1][0] + overlap_s / 2 if index + 1 < len(parts) else float("inf")
        for segment in segments:
            start, end = offset + segment.start, offset + segment.end
            middle = (start + end) / 2
            if lower <= middle < upper and segment.text.strip():
                kept.append(Segment(start=start, end=end, text=segment.text.strip()))
    monotonic: list[Segment] = []
    last_end = 0.0
    for segment in kept:
        start = max(segment.start, last_end)
        end = max(segment.end, start)
        monotonic.append(Segment(start=round(start, 3), end=round(end, 3), text=segment.text))
        last_end = end
    return monotonic
