"""The fake Groq's ``POST /openai/v1/audio/transcriptions``: multipart in, ``verbose_json`` (or
``json``/``text``) out, in the real shapes.

The transcript is derived from the audio, deterministically: the WAV's voiced stretches (short-time
energy over a threshold) become the segments, at their real times; their words are the next
sentences of the script a test registered (or a neutral placeholder naming the stretch). So a
chunked upload is transcribed consistently: the same sound at the same absolute time gives the
same segment whichever chunk carries it.
"""

from __future__ import annotations

import array
import io
import math
import uuid
import wave
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

FRAME_S = 0.02
THRESHOLD = 500.0  # RMS of 16-bit samples: speech and tones are far above, silence far below
MERGE_GAP_S = 0.3
MIN_VOICED_S = 0.1


@dataclass(frozen=True, slots=True)
class Upload:
    fields: dict[str, str]
    filename: str
    audio: bytes


def parse_multipart(content_type: str, body: bytes) -> Upload:
    """The form the groq client sends: ``file`` plus text fields (model, response_format...)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ValueError("expected multipart/form-data")
    fields: dict[str, str] = {}
    filename, audio = "", b""
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        if name == "file":
            filename = str(part.get_filename() or "audio")
            audio = payload
        elif isinstance(name, str):
            fields[name] = payload.decode("utf-8", "replace")
    return Upload(fields, filename, audio)


def voiced_stretches(wav_bytes: bytes) -> tuple[float, list[tuple[float, float]]]:
    """(duration, [(start, end)]) of a 16-bit PCM WAV's voiced stretches."""
    with wave.open(io.BytesIO(wav_bytes), "rb") as source:
        rate, channels, width = source.getframerate(), source.getnchannels(), source.getsampwidth()
        frames = source.readframes(source.getnframes())
    if width != 2:
        raise ValueError("the fake reads 16-bit PCM WAV only")
    samples = array.array("h", frames)[::channels]
    duration = len(samples) / rate
    step = max(1, int(rate * FRAME_S))
    stretches: list[tuple[float, float]] = []
    for index in range(0, len(samples), step):
        window = samples[index : index + step]
        rms = (math.sumprod(window, window) / max(1, len(window))) ** 0.5
        if rms < THRESHOLD:
            continue
        start, end = index / rate, min(duration, (index + step) / rate)
        if stretches and start - stretches[-1][1] <= MERGE_GAP_S:
            stretches[-1] = (stretches[-1][0], end)
        else:
            stretches.append((start, end))
    return duration, [(s, e) for s, e in stretches if e - s >= MIN_VOICED_S]


Voiced = tuple[float, list[tuple[float, float]]]


def analyse(upload: Upload) -> Voiced | None:
    """The upload's duration and voiced stretches; None when it is no 16-bit PCM WAV."""
    try:
        return voiced_stretches(upload.audio)
    except (ValueError, EOFError, wave.Error):
        return None


def transcribe(
    upload: Upload, script: list[str], voiced: Voiced | None = None
) -> tuple[int, dict[str, Any] | str]:
    """(status, body) for one transcription request (``voiced``: :func:`analyse` of it, when the
    caller has it already)."""
    model = upload.fields.get("model", "")
    if not model:
        return 400, _error("model is required")
    if not upload.audio:
        return 400, _error("file is required")
    voiced = voiced or analyse(upload)
    if voiced is None:
        return 400, _error("could not process file - is it a valid media file?")
    duration, stretches = voiced
    segments = []
    for index, (start, end) in enumerate(stretches):
        words = script[index % len(script)] if script else f"voice from {start:.2f} s"
        segments.append(
            {
                "id": index,
                "seek": 0,
                "start": round(start, 2),
                "end": round(end, 2),
                "text": " " + words,
                "tokens": [50365 + index],
                "temperature": 0.0,
                "avg_logprob": -0.2,
                "compression_ratio": 1.1,
                "no_speech_prob": 0.01,
            }
        )
    text = "".join(str(segment["text"]) for segment in segments)
    fmt = upload.fields.get("response_format", "json")
    if fmt == "text":
        return 200, text
    if fmt != "verbose_json":
        return 200, {"text": text, "x_groq": {"id": _request_id()}}
    return 200, {
        "task": "transcribe",
        "language": "English",
        "duration": round(duration, 2),
        "text": text,
        "segments": segments,
        "x_groq": {"id": _request_id()},
    }


def _request_id() -> str:
    return f"req_{uuid.uuid4().hex[:26]}"


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error"}}
