"""Speech to text: Groq's whisper (``verbose_json``, chunked under its 25 MB limit) or, with no
Groq key, an offline engine (pocketsphinx's bundled en-us model), each labelled as what it is."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from shared.media.errors import (
    TranscriptionMalformed,
    TranscriptionRateLimited,
    TranscriptionRefused,
    TranscriptionUnavailable,
)
from shared.media.settings import MediaSettings
from shared.media.transcript import Segment, Transcript, split_wav, stitch

if TYPE_CHECKING:
    import groq

OFFLINE_MODEL = "pocketsphinx-5.1.1-en-us"


class Transcriber(Protocol):
    def transcribe(self, wav: Path) -> Transcript: ...


def retry_after_s(headers: Any) -> float | None:
    """Seconds from a ``retry-after`` header (delta seconds; dates are not honoured)."""
    value = headers.get("retry-after") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


@dataclass
class GroqTranscriber:
    client: groq.Groq
    settings: MediaSettings
    sleep: Callable[[float], None] = time.sleep
    waited_s: float = field(default=0.0, init=False)
    calls: int = field(default=0, init=False)

    def transcribe(self, wav: Path) -> Transcript:
        overlap = self.settings.transcribe_overlap_s
        chunks = split_wav(wav, self.settings.transcribe_chunk_max_bytes, overlap)
        parts: list[tuple[float, list[Segment]]] = []
        language: str | None = None
        for index, chunk in enumerate(chunks):
            body = self._call(f"chunk-{index:03d}.wav", chunk.wav)
            language = language or _language(body.get("language"))
            parts.append((chunk.offset_s, _segments(body)))
        segments = stitch(parts, overlap)
        return Transcript(
            text=" ".join(segment.text for segment in segments),
            language=language,
            engine="groq",
            model=self.settings.transcribe_model,
            segments=segments,
            chunks=len(chunks),
        )

    def _call(self, name: str, data: bytes) -> dict[str, Any]:
        import groq  # noqa: PLC0415 - heavy SDK, only where Groq is used

        for attempt in range(1, self.settings.rate_limit_attempts + 1):
            self.calls += 1
            try:
                result = self.client.audio.transcriptions.create(
                    file=(name, data),
                    model=self.settings.transcribe_model,
                    response_format="verbose_json",
                    temperature=0.0,
                )
            except groq.RateLimitError as exc:
                wait = retry_after_s(exc.response.headers)
                if wait is None:
                    wait = min(2.0**attempt, 30.0)
                # Full jitter on top of the server's wish, never less than it asked for.
                wait += random.uniform(0, min(1.0, wait / 4))  # noqa: S311 - jitter, not crypto
                last = attempt == self.settings.rate_limit_attempts
                if last or self.waited_s + wait > self.settings.rate_limit_budget_s:
                    raise TranscriptionRateLimited(
                        f"Groq rate limited the transcription; retry after {wait:.1f} s."
                    ) from exc
                self.waited_s += wait
                self.sleep(wait)
                continue
            except (groq.APITimeoutError, groq.APIConnectionError) as exc:
                raise TranscriptionUnavailable(f"Groq unreachable: {type(exc).__name__}.") from exc
            except groq.InternalServerError as exc:
                raise TranscriptionUnavailable(f"Groq answered {exc.status_code}.") from exc
            except groq.APIResponseValidationError as exc:
                raise TranscriptionMalformed("Groq's answer was not a transcription.") from exc
            except groq.APIStatusError as exc:
                raise TranscriptionRefused(f"Groq refused the audio ({exc.status_code}).") from exc
            except ValueError as exc:  # a body that is not JSON at all
                raise TranscriptionMalformed("Groq's answer was not valid JSON.") from exc
            return _as_dict(result)
        raise AssertionError("unreachable: the loop returns or raises")


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    dump = getattr(result, "model_dump", None)
    if callable(dump):
        data = dump()
        if isinstance(data, dict):
            return data
    raise TranscriptionMalformed("Groq's answer was not a transcription object.")


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    # verbose_json names the language ("english"); keep it short and lower-case.
    return value.strip().lower()[:16]


def _segments(body: dict[str, Any]) -> list[Segment]:
    raw = body.get("segments")
    if not isinstance(raw, list) or not isinstance(body.get("text"), str):
        raise TranscriptionMalformed("Groq's verbose_json answer had no segments.")
    try:
        return [
            Segment(start=float(s["start"]), end=float(s["end"]), text=str(s["text"])[:5000])
            for s in raw
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise TranscriptionMalformed("Groq's segments were malformed.") from exc


# ---- offline ---------------------------------------------------------------------------------
_FRAMES_PER_S = 100
_PAUSE_S = 0.6
_MAX_WORDS = 14
_FILLERS = frozenset({"<s>", "</s>", "<sil>"})


@lru_cache(maxsize=1)
def _decoder() -> Any:
    from pocketsphinx import Decoder  # noqa: PLC0415 - 37 MB model, only for offline runs

    return Decoder(samprate=16000, loglevel="FATAL")


class OfflineTranscriber:
    """pocketsphinx (en-us): a smoke-test-grade transcript, labelled ``offline``."""

    def transcribe(self, wav: Path) -> Transcript:
        import wave  # noqa: PLC0415

        with wave.open(str(wav), "rb") as source:
            pcm = source.readframes(source.getnframes())
        decoder = _decoder()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        words: list[tuple[float, float, str]] = []
        for seg in decoder.seg():
            word = seg.word.split("(")[0]
            if word in _FILLERS or word.startswith("["):
                continue
            words.append((seg.start_frame / _FRAMES_PER_S, seg.end_frame / _FRAMES_PER_S, word))
        segments = _group(words)
        return Transcript(
            text=" ".join(s.text for s in segments),
            language="en",
            engine="offline",
            model=OFFLINE_MODEL,
            segments=segments,
        )


def _group(words: list[tuple[float, float, str]]) -> list[Segment]:
    segments: list[Segment] = []
    current: list[tuple[float, float, str]] = []
    for word in words:
        if current and (word[0] - current[-1][1] > _PAUSE_S or len(current) >= _MAX_WORDS):
            segments.append(_segment(current))
            current = []
        current.append(word)
    if current:
        segments.append(_segment(current))
    return segments


def _segment(words: list[tuple[float, float, str]]) -> Segment:
    return Segment(start=words[0][0], end=words[-1][1], text=" ".join(w[2] for w in words))


def transcriber_for(client: groq.Groq | None, settings: MediaSettings) -> Transcriber:
    """Groq when a key is configured, else the offline engine."""
    if client is None:
        return OfflineTranscriber()
    return GroqTranscriber(client, settings)
