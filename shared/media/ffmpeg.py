"""Running ffmpeg: where the binary is, and the few commands the pipeline needs.

In Lambda the binary comes from the ffmpeg layer (``/opt/bin/ffmpeg``); run in-process (tests,
benchmarks) it is the copy the ``imageio-ffmpeg`` wheel ships. Both are the same static build.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from shared.media.errors import MediaRejected, TranscodeFailed
from shared.media.probe import (
    CONTAINER_TYPES,
    Probe,
    decoded_duration_s,
    is_truncated,
    parse_ffmpeg_info,
)
from shared.observability import logger

LAYER_FFMPEG = Path("/opt/bin/ffmpeg")
_BASE = ("-hide_banner", "-nostdin", "-y")
# 16 kHz mono 16-bit PCM in WAV, the transcript's input (the path follows).
_WAV_OUTPUT = ("-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", "-f", "wav")
# A candidate's file is untrusted: ffmpeg may open it only as a local file, and only with the
# demuxers of the containers we accept. Otherwise a playlist (hls), a concat list or an image
# sequence could make it read other files or URLs and put their contents in our outputs.
PROTOCOL_WHITELIST = "file"
FORMAT_WHITELIST = ",".join(
    sorted({name for names in CONTAINER_TYPES for name in names.split(",")})
)


def untrusted_input(path: Path) -> list[str]:
    """The options that open an untrusted file, ending in ``-i path``."""
    return [
        "-protocol_whitelist", PROTOCOL_WHITELIST,
        "-format_whitelist", FORMAT_WHITELIST,
        "-i", f"file:{path}",
    ]  # fmt: skip


@lru_cache(maxsize=4)
def ffmpeg_exe(configured: str | None = None) -> str:
    """The ffmpeg binary: configured, else the layer's, else imageio-ffmpeg's."""
    candidates: list[str] = [configured] if configured else []
    if LAYER_FFMPEG.exists():
        candidates.append(str(LAYER_FFMPEG))
    if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
        # In a Lambda the layer's bin/ is on PATH (/opt/bin on AWS, its stand-in locally).
        found = shutil.which("ffmpeg")
        if found:
            candidates.append(found)
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
        if os.path.isfile(candidate):
            return _executable_copy(candidate)
    import imageio_ffmpeg  # noqa: PLC0415 - only where no layer is mounted

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _executable_copy(path: str) -> str:
    """A zip round trip can drop the execute bit; /opt is read-only, so run a copy from /tmp."""
    target = Path(tempfile.gettempdir()) / "ffmpeg"
    if not target.exists():
        shutil.copyfile(path, target)
        target.chmod(target.stat().st_mode | stat.S_IXUSR)
    return str(target)


def _lower_priority() -> None:
    """In the child, before ffmpeg starts: a niceness of 10 (never fails the encode).

    Where the kernel groups tasks by session (autogroup, Linux's default on desktops and on
    this project's machines), a task's niceness only ranks it against its own session: the
    function's environment is a session of its own, so against every other process the encode
    would still take a full share. Its session's group is lowered too: that environment only
    ever runs this encode. Where /proc/self/autogroup is absent (AWS Lambda), nothing changes."""
    with contextlib.suppress(OSError):
        os.nice(10)
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as group:
        group.write("10")


@dataclass(frozen=True, slots=True)
class Ffmpeg:
    # None: the layer's binary, else imageio-ffmpeg's (found on first use, not at import).
    configured: str | None = None
    threads: int = 2
    timeout_s: float = 600.0

    def _run(
        self, args: list[str], *, check: bool = True, yielding: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """``yielding``: the playback path's encodes run at a lower CPU priority, so that where
        functions share cores (locally: 2 of them) the transcript path goes first; in AWS each
        function has its own, and it changes nothing."""
        try:
            result = subprocess.run(  # noqa: S603 - fixed binary, arguments are our own
                [ffmpeg_exe(self.configured), *_BASE, *args],
                capture_output=True,
                text=True,
                errors="replace",
                timeout=self.timeout_s,
                check=False,
                preexec_fn=_lower_priority if yielding else None,
            )
        except subprocess.TimeoutExpired as exc:
            raise TranscodeFailed(f"ffmpeg took longer than {self.timeout_s:.0f} s.") from exc
        if check and result.returncode != 0:
            # ffmpeg's words (paths, demuxer messages) are for the logs; HR reads a fixed text.
            last = (result.stderr.strip().splitlines() or ["no output"])[-1][:300]
            logger.warning("ffmpeg failed", extra={"stderr": last, "code": result.returncode})
            raise TranscodeFailed("The file could not be converted (ffmpeg refused it).")
        return result

    def probe(self, path: Path, wav: Path | None = None) -> tuple[Probe, float]:
        """What the file is and how long it really plays (decoded, not declared). With ``wav``
        and an audio stream, the decoding pass writes the audio there as :meth:`extract_wav`
        would (the decoding is the same work: one pass instead of two)."""
        if path.stat().st_size == 0:
            raise MediaRejected("The file is empty (0 bytes).")
        info = self._run(untrusted_input(path), check=False)
        probe = parse_ffmpeg_info(info.stderr)
        stream = "0:a:0" if probe.audio_codec else "0:v:0" if probe.video_codec else None
        if stream is None:
            raise MediaRejected("The file has neither an audio nor a video stream.")
        output = ["-f", "null", "-"]
        if wav is not None and probe.audio_codec:
            output = [*_WAV_OUTPUT, str(wav)]
        decode = self._run(
            [
                "-v", "warning", "-threads", str(self.threads), *untrusted_input(path),
                "-map", stream, "-progress", "pipe:1", "-nostats", *output,
            ],
            check=False,
        )  # fmt: skip
        decoded = decoded_duration_s(decode.stdout)
        if decode.returncode != 0 or decoded is None:
            raise MediaRejected("The file could not be decoded.")
        if is_truncated(decode.stderr, probe.duration_s, decoded):
            raise MediaRejected("The file is truncated: it ends before its recording does.")
        return probe, decoded

    def transcode_mp4(
        self, src: Path, dst: Path, *, video: bool, max_height: int, preset: str
    ) -> None:
        """H.264 + AAC in MP4, moov atom first (+faststart) so playback starts at once."""
        args = [*untrusted_input(src), "-threads", str(self.threads)]
        if video:
            scale = f"scale=-2:'trunc(min({max_height},ih)/2)*2'"
            args += ["-map", "0:v:0", "-c:v", "libx264", "-preset", preset, "-crf", "23"]
            args += ["-pix_fmt", "yuv420p", "-vf", scale]
        args += ["-map", "0:a:0?", "-c:a", "aac", "-b:a", "128k"]
        args += ["-movflags", "+faststart", "-f", "mp4", str(dst)]
        self._run(args, yielding=True)

    def extract_wav(self, src: Path, dst: Path) -> None:
        """16 kHz mono PCM: what speech recognisers want."""
        self._run([*untrusted_input(src), "-map", "0:a:0", *_WAV_OUTPUT, str(dst)])

    def thumbnail(self, src: Path, dst: Path, *, at_s: float, height: int = 360) -> None:
        self._run(
            ["-ss", f"{at_s:.3f}", *untrusted_input(src), "-map", "0:v:0", "-frames:v", "1",
             "-vf", f"scale=-2:{height}", "-q:v", "4", "-f", "image2", str(dst)],
            yielding=True,
        )  # fmt: skip
