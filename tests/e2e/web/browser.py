"""Debian's Chromium driven by Playwright, with a fake camera and microphone fed from files this
module makes (ffmpeg's test picture; espeak-ng speaking a sentence), for the web app's tests
(issue 15). Never `playwright install`: it downloads; we launch /usr/bin/chromium.

Screenshots of every page a test visits are kept under test-artifacts/web/<test>/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from scripts import localenv
from tests import media_samples

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = localenv.ROOT / "test-artifacts" / "web"
# What the fake microphone says: the transcript of a recorded answer contains it.
SPOKEN = (
    "In my last project I led the migration of our billing service to Python and"
    " reduced the error rate by half."
)


@dataclass(frozen=True)
class FakeDevices:
    video: Path  # y4m, what the fake camera shows
    audio: Path  # wav, what the fake microphone hears (looped)

    def chromium_args(self) -> list[str]:
        return [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={self.video}",
            f"--use-file-for-fake-audio-capture={self.audio}",
            "--autoplay-policy=no-user-gesture-required",
        ]


def make_devices(workdir: Path, seconds: float = 12.0) -> FakeDevices:
    """A test picture (y4m) and a spoken sentence (wav, looped by Chromium) for the fake devices.

    The sentence gets only half a second of silence: a recording of a few seconds taken at any
    moment of the loop hears mostly speech (padded to 12 s, a recording that started in the
    silence transcribed to one word, so its answer had no quote to click)."""
    video = workdir / "camera.y4m"
    audio = workdir / "microphone.wav"
    subprocess.run(
        [
            media_samples.ffmpeg(), "-hide_banner", "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=15:duration={seconds}",
            "-pix_fmt", "yuv420p", str(video),
        ],
        check=True,
    )  # fmt: skip
    speech = media_samples.speech_wav(workdir / "speech.wav", SPOKEN)
    subprocess.run(
        [
            media_samples.ffmpeg(), "-hide_banner", "-nostdin", "-v", "error", "-y",
            "-i", str(speech), "-af", "apad=pad_dur=0.5", "-ar", "48000", "-ac", "1",
            str(audio),
        ],
        check=True,
    )  # fmt: skip
    return FakeDevices(video, audio)


def launch_args(devices: FakeDevices | None) -> list[str]:
    # Root in a sandbox-less container: Chromium's own sandbox cannot start.
    args = ["--no-sandbox", "--disable-dev-shm-usage"]
    return args + (devices.chromium_args() if devices else [])


class Screens:
    """Numbered screenshots of one test's pages: test-artifacts/web/<test>/<nn>-<name>.png."""

    def __init__(self, test_name: str) -> None:
        self.folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def shot(self, page: object, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path
