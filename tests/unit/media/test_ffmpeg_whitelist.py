"""ffmpeg opens a candidate's file as a local file with the demuxers of our containers only:
a file that is really a concat list or an HLS playlist (which make ffmpeg read other files or
URLs) is refused by every command the pipeline runs, before anything is produced."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.media.errors import MediaError, MediaRejected, TranscodeFailed
from shared.media.ffmpeg import FORMAT_WHITELIST, Ffmpeg, untrusted_input
from tests import media_samples


@pytest.fixture
def neighbour(tmp_path: Path) -> Path:
    """Another file in the pipeline's work directory: what a list could pull in."""
    return media_samples.speech_wav(tmp_path / "audio.wav", "secret words")


def _concat_list(tmp_path: Path) -> Path:
    path = tmp_path / "input"
    path.write_text("ffconcat version 1.0\nfile 'audio.wav'\n")
    return path


def _hls_playlist(tmp_path: Path) -> Path:
    path = tmp_path / "input"
    path.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:2.0,\nfile:{tmp_path / 'audio.wav'}\n#EXT-X-ENDLIST\n"
    )
    return path


def test_every_input_is_a_local_file_with_whitelisted_demuxers() -> None:
    args = untrusted_input(Path("/tmp/x/input"))
    assert args[:4] == ["-protocol_whitelist", "file", "-format_whitelist", FORMAT_WHITELIST]
    assert args[-2:] == ["-i", "file:/tmp/x/input"]
    assert set(FORMAT_WHITELIST.split(",")) >= {"matroska", "webm", "mov", "mp4", "ogg", "wav"}
    assert not {"concat", "hls", "image2", "lavfi"} & set(FORMAT_WHITELIST.split(","))


@pytest.mark.usefixtures("neighbour")
@pytest.mark.parametrize("make", [_concat_list, _hls_playlist], ids=["concat", "hls"])
def test_a_list_pointing_at_another_file_is_refused_by_every_command(
    tmp_path: Path, make: object
) -> None:
    # Given a "recording" that is really a list naming another file of the work directory
    path = make(tmp_path)  # type: ignore[operator]
    ffmpeg = Ffmpeg(configured=media_samples.ffmpeg(), threads=1, timeout_s=60)
    # Then probing refuses it as unreadable (today the concat demuxer opens audio.wav)
    with pytest.raises(MediaRejected, match="not a readable"):
        ffmpeg.probe(path)
    # And no command makes an output of it
    for run in (
        lambda: ffmpeg.transcode_mp4(
            path, tmp_path / "answer.mp4", video=False, max_height=720, preset="ultrafast"
        ),
        lambda: ffmpeg.extract_wav(path, tmp_path / "out.wav"),
    ):
        with pytest.raises(TranscodeFailed):
            run()
    assert not (tmp_path / "answer.mp4").exists()
    assert not (tmp_path / "out.wav").exists()


def test_accepted_containers_still_open(tmp_path: Path) -> None:
    wav = media_samples.speech_wav(tmp_path / "input", "hello there")
    ffmpeg = Ffmpeg(configured=media_samples.ffmpeg(), threads=1, timeout_s=60)
    probe, duration = ffmpeg.probe(wav)
    assert probe.container == "wav"
    assert duration > 0
    webm = media_samples.answer_webm(tmp_path / "a.webm", 2, speech=False)
    probe, _ = ffmpeg.probe(webm)
    assert probe.container == "matroska,webm"
    try:
        ffmpeg.transcode_mp4(
            webm, tmp_path / "answer.mp4", video=True, max_height=360, preset="ultrafast"
        )
    except MediaError as exc:  # pragma: no cover - a failure here is the bug
        pytest.fail(str(exc))
    assert (tmp_path / "answer.mp4").read_bytes()[4:8] == b"ftyp"
