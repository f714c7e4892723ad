"""Transcription through the real groq client against the fake Groq server (real HTTP):
retry-after honoured on 429, faults mapped to the errors the state machine retries by name, and
long audio chunked under the size limit and stitched on one monotonic timeline."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fakes.groq import FakeGroqServer, Fault
from shared.media.errors import (
    TranscriptionMalformed,
    TranscriptionRateLimited,
    TranscriptionUnavailable,
)
from shared.media.settings import MediaSettings
from shared.media.transcribe import GroqTranscriber
from tests import media_samples
from tests.integration.media.conftest import groq_client

TRANSCRIPTIONS = "/openai/v1/audio/transcriptions"


@pytest.fixture
def short_wav(tmp_path: Path) -> Path:
    return media_samples.bursts_wav(tmp_path / "short.wav", 6)


def test_a_429_is_retried_after_the_time_the_server_asked_for(
    fake_groq: FakeGroqServer, short_wav: Path
) -> None:
    # Given Groq answers the first call with 429 and retry-after: 1.5
    fake_groq.fail_next(Fault("rate_limit", route="transcriptions", retry_after_s=1.5))
    transcriber = GroqTranscriber(groq_client(fake_groq), MediaSettings())
    # When a file is transcribed
    transcript = transcriber.transcribe(short_wav)
    # Then the second call came no sooner than 1.5 s after the first, and it succeeded
    first, second = fake_groq.records
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.5
    assert transcriber.waited_s >= 1.5
    assert len(transcript.segments) == 2
    assert transcript.engine == "groq"


def test_a_429_longer_than_the_budget_raises_for_the_state_machine_to_retry_later(
    fake_groq: FakeGroqServer, short_wav: Path
) -> None:
    fake_groq.fail_next(Fault("rate_limit", retry_after_s=120))
    transcriber = GroqTranscriber(groq_client(fake_groq), MediaSettings(rate_limit_budget_s=10))
    started = time.monotonic()
    with pytest.raises(TranscriptionRateLimited, match="retry after 12"):
        transcriber.transcribe(short_wav)
    assert time.monotonic() - started < 5
    assert fake_groq.calls[TRANSCRIPTIONS] == 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault("server_error"), TranscriptionUnavailable),
        (Fault("timeout", hang_s=3), TranscriptionUnavailable),
        (Fault("malformed"), TranscriptionMalformed),
    ],
    ids=["500", "timeout", "malformed"],
)
def test_faults_become_the_errors_the_workflow_retries_by_name(
    fake_groq: FakeGroqServer, short_wav: Path, fault: Fault, error: type[Exception]
) -> None:
    fake_groq.fail_next(fault)
    transcriber = GroqTranscriber(groq_client(fake_groq, timeout_s=1.0), MediaSettings())
    with pytest.raises(error):
        transcriber.transcribe(short_wav)
    assert fake_groq.faults_served[fault.kind] == 1


def test_long_audio_is_chunked_under_the_limit_and_stitched_monotonically(
    fake_groq: FakeGroqServer, tmp_path: Path
) -> None:
    # Given 120 s of audio (3.8 MB) with a 1 s sound every 4 s, and a 600 KB upload limit
    wav = media_samples.bursts_wav(tmp_path / "long.wav", 120, every_s=4.0, burst_s=1.0)
    settings = MediaSettings(transcribe_chunk_max_bytes=600_000, transcribe_overlap_s=2.0)
    transcriber = GroqTranscriber(groq_client(fake_groq), settings)
    # When it is transcribed
    transcript = transcriber.transcribe(wav)
    # Then it went up in several chunks, none over the limit
    assert transcript.chunks == fake_groq.calls[TRANSCRIPTIONS] >= 7
    # And every sound appears once, at its absolute time, on a monotonic timeline
    starts = [segment.start for segment in transcript.segments]
    assert len(starts) == 30
    assert starts == pytest.approx([4.0 * k for k in range(30)], abs=0.05)
    ends = [segment.end for segment in transcript.segments]
    assert all(
        a.end <= b.start for a, b in zip(transcript.segments, transcript.segments[1:], strict=False)
    )
    assert ends == pytest.approx([4.0 * k + 1 for k in range(30)], abs=0.05)


def test_the_fake_can_be_switched_over_http(fake_groq: FakeGroqServer) -> None:
    import httpx

    response = httpx.post(
        f"{fake_groq.base_url}/_fake/control",
        json={"fault": {"kind": "rate_limit", "retry_after_s": 2, "times": 2}, "latency_s": 0.1},
    )
    assert response.status_code == 200
    stats = httpx.get(f"{fake_groq.base_url}/_fake/stats").json()
    assert len(stats["pending_faults"]) == 2
    assert stats["latency_s"] == 0.1


def test_the_fake_models_the_whole_service_time_and_reads_the_audio_once(
    fake_groq: FakeGroqServer, short_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the fake transcribes at 20x real time plus 0.2 s (the benchmark's setting, slowed)
    from fakes.groq import transcriptions

    readings: list[int] = []
    real = transcriptions.voiced_stretches

    def counted(wav: bytes) -> tuple[float, list[tuple[float, float]]]:
        readings.append(len(wav))
        return real(wav)

    monkeypatch.setattr(transcriptions, "voiced_stretches", counted)
    fake_groq.set_transcription_speed(20.0, 0.2)
    transcriber = GroqTranscriber(groq_client(fake_groq), MediaSettings())
    # When a 6 s file is transcribed
    started = time.monotonic()
    transcript = transcriber.transcribe(short_wav)
    # Then it took no less than the modelled 6 / 20 + 0.2 s, the fake read the audio once (its
    # reading is part of the modelled time, not added to it), and the transcript is the usual
    assert time.monotonic() - started >= 6 / 20 + 0.2
    assert len(readings) == 1
    assert len(transcript.segments) == 2
