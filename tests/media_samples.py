"""Test media made on the spot: ffmpeg's ``testsrc`` picture plus an ``espeak-ng`` spoken
sentence (a sine tone where no speech is needed), and the broken files the pipeline must refuse."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg

SENTENCE = "Hello, my name is Alice and I have five years of experience with Python."


def ffmpeg() -> str:
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _run(*args: str) -> None:
    subprocess.run([ffmpeg(), "-hide_banner", "-nostdin", "-v", "error", "-y", *args], check=True)


def has_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def speech_wav(path: Path, text: str = SENTENCE) -> Path:
    """A spoken sentence (espeak-ng must be installed: `make setup` installs it)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is missing: apt-get install -y espeak-ng (make setup)")
    subprocess.run([espeak, "-s", "150", "-w", str(path), text], check=True)
    return path


def answer_webm(
    path: Path, seconds: float = 6.0, size: str = "320x240", rate: int = 15, speech: bool = True
) -> Path:
    """A candidate's answer as a browser records it: VP8 video + Opus audio in WebM."""
    if speech:
        wav = speech_wav(path.with_suffix(".speech.wav"))
        # Speech first, then silence up to the length asked for.
        audio = ["-i", str(wav)]
        audio_filter = ["-af", f"apad=whole_dur={seconds}"]
    else:
        audio = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
        audio_filter = []
    _run(
        "-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}:duration={seconds}",
        *audio, *audio_filter, "-t", str(seconds),
        "-c:v", "libvpx", "-b:v", "1M" if size == "1280x720" else "300k",
        "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", str(path),
    )  # fmt: skip
    return path


def audio_only_webm(path: Path, seconds: float = 4.0) -> Path:
    _run(
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "libopus", str(path)
    )
    return path


def mp4_with_codec(path: Path, video_codec: str = "libx264", seconds: float = 3.0) -> Path:
    """An MP4 (``mpeg4`` makes one with a codec the platform does not accept)."""
    _run(
        "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=15:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", video_codec, "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    return path


def truncated(source: Path, target: Path, keep: float = 0.5) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def random_bytes(path: Path, size: int = 64 * 1024) -> Path:
    path.write_bytes(os.urandom(size))
    return path


def bursts_wav(path: Path, seconds: float, every_s: float = 4.0, burst_s: float = 1.0) -> Path:
    """16 kHz mono WAV: a tone of ``burst_s`` starting every ``every_s`` seconds, silence
    between: voiced stretches at known times (for chunking and stitching)."""
    expression = f"if(lt(mod(t\\,{every_s})\\,{burst_s})\\,0.5*sin(2*PI*440*t)\\,0)"
    _run(
        "-f", "lavfi", "-i", f"aevalsrc={expression}:s=16000:d={seconds}",
        "-ac", "1", "-c:a", "pcm_s16le", str(path),
    )  # fmt: skip
    return path
