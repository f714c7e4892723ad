"""Benchmark of the media pipeline on the local stack: `make bench-media` -> results/media.json.

Needs the stage deployed (`make up`). Transcription goes to the fake Groq server (the stage's Groq
secret is pointed at it for the run, then restored), so the numbers are the pipeline's own.

Measures, for a 60 s 720p30 WebM answer (VP8 + Opus, testsrc picture + spoken sentence):
  pipeline_s         from the presigned POST upload to media.processed published (outbox row
                     marked published), through S3 -> EventBridge -> Step Functions -> Lambdas
  bare_ffmpeg_s      the same ffmpeg work run directly on the same file, one after the other:
                     probe (decode pass) + transcode (libx264 veryfast, 2 threads) + WAV + thumbnail
  overhead_ratio     pipeline_s / bare_ffmpeg_s
  ffmpeg_x_realtime  the answer's duration / the bare transcode time
  five_at_once_s     five such answers uploaded at once: until the last media.processed
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg

from bench._common import write_result
from fakes.groq import FakeGroqServer
from scripts import localenv
from shared.dal.db import conninfo_for
from shared.media.ffmpeg import Ffmpeg
from shared.settings import DatabaseSettings
from tests import media_samples
from tests.e2e.media.conftest import post_upload
from tests.integration.media import rows

ANSWER_S = 60.0
DEADLINE_S = 900.0


def _conn() -> psycopg.Connection[Any]:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    return psycopg.connect(conninfo_for(settings), autocommit=True)


def _processed_at(conn: psycopg.Connection[Any], upload_id: uuid.UUID) -> bool:
    row = conn.execute(
        """SELECT 1 FROM platform.outbox WHERE event_type = 'media.processed'
            AND envelope -> 'payload' ->> 'uploadId' = %s AND published_at IS NOT NULL""",
        (str(upload_id),),
    ).fetchone()
    if row is not None:
        return True
    failed = conn.execute(
        "SELECT reason FROM media.assets WHERE upload_id = %s AND status = 'failed'", (upload_id,)
    ).fetchone()
    if failed is not None:
        raise SystemExit(f"the pipeline failed the benchmark answer: {failed[0]}")
    return False


def _run_uploads(s3: Any, bucket: str, answer: Path, count: int) -> float:
    """Upload ``count`` answers at once; seconds until every one is processed and published."""
    with _conn() as conn:
        uploads = [rows.upload(conn) for _ in range(count)]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=count) as pool:
            list(pool.map(lambda u: post_upload(s3, bucket, u, answer), uploads))
        pending = {u.upload_id for u in uploads}
        while pending:
            if time.monotonic() - started > DEADLINE_S:
                raise SystemExit(f"{len(pending)} answers not processed within {DEADLINE_S} s")
            pending = {u for u in pending if not _processed_at(conn, u)}
            time.sleep(0.25)  # poll interval within the deadline
        return time.monotonic() - started


def _bare_ffmpeg(answer: Path, workdir: Path) -> tuple[float, float]:
    """(all four commands, transcode alone), in seconds, as the Lambdas run them."""
    ffmpeg = Ffmpeg(threads=2, timeout_s=DEADLINE_S)
    started = time.monotonic()
    probe, duration = ffmpeg.probe(answer)
    transcode_started = time.monotonic()
    ffmpeg.transcode_mp4(
        answer, workdir / "answer.mp4", video=True, max_height=720, preset="veryfast"
    )
    transcode_s = time.monotonic() - transcode_started
    ffmpeg.extract_wav(answer, workdir / "audio.wav")
    ffmpeg.thumbnail(answer, workdir / "thumbnail.jpg", at_s=1.0)
    assert probe.height == 720
    assert abs(duration - ANSWER_S) < 1
    return time.monotonic() - started, transcode_s


def main() -> None:
    outputs = localenv.stack_outputs()
    bucket = outputs["MediaBucketName"]
    s3 = localenv.client("s3")
    secrets = localenv.client("secretsmanager")
    secret_name = f"interview-platform/{localenv.STAGE}/groq"
    previous = secrets.get_secret_value(SecretId=secret_name)["SecretString"]
    with tempfile.TemporaryDirectory() as tmp, FakeGroqServer() as fake:
        workdir = Path(tmp)
        answer = media_samples.answer_webm(
            workdir / "answer.webm", ANSWER_S, size="1280x720", rate=30
        )
        secrets.put_secret_value(
            SecretId=secret_name,
            SecretString=json.dumps({"api_key": "fake-bench-key", "base_url": fake.base_url}),
        )
        try:
            # A warm-up answer first: cold starts are measured elsewhere (bench/health.py).
            _run_uploads(s3, bucket, media_samples.answer_webm(workdir / "w.webm", 2), 1)
            bare_s, transcode_s = _bare_ffmpeg(answer, workdir)
            pipeline_s = _run_uploads(s3, bucket, answer, 1)
            five_s = _run_uploads(s3, bucket, answer, 5)
        finally:
            secrets.put_secret_value(SecretId=secret_name, SecretString=previous)
    write_result(
        "media",
        {
            "pipeline_s": pipeline_s,
            "bare_ffmpeg_s": bare_s,
            "overhead_ratio": pipeline_s / bare_s,
            "ffmpeg_x_realtime": ANSWER_S / transcode_s,
            "five_at_once_s": five_s,
        },
    )


if __name__ == "__main__":
    main()
