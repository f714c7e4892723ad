"""Soak of the local stack (issue 13, finding 16): sustained API traffic through API Gateway ->
Lambda, and media pipelines started by S3 uploads, while LocalStack's threads, memory mappings
and RSS are measured before and after.

LocalStack on Python 3.13 used to keep one 8 MiB thread stack per Lambda invocation (and several
per Step Functions execution) until its map count hit the kernel's limit; hostexec's thread
reaper (localstack/hostexec/hostexec/reaper.py) gives them back. The soak proves it.

``measure() -> dict`` is what bench/resilience.py merges; tests/e2e/soak/test_soak.py runs the
same ``run()`` and asserts on it. Keys of ``measure()``:

  soak_requests              API requests sent (each one API Gateway -> Lambda)
  soak_failed                requests answered 5xx or not at all (target 0)
  localstack_threads_growth  per cent: (threads after - before) / before * 100
  localstack_maps_growth     per cent, the same for /proc/<pid>/maps lines
  localstack_rss_mb          LocalStack's resident memory after the soak, MiB

"Before" is taken after a warm-up that starts every Lambda environment the load uses (same
concurrency), "after" once the in-flight work has finished (a poll with a deadline).

Loopback only. Sizes: SOAK_REQUESTS (default 20000), SOAK_PIPELINES (100),
SOAK_CONCURRENCY (8 API clients), SOAK_MEDIA_CONCURRENCY (4 pipelines in flight).
Needs the stage deployed (`make up`).
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from scripts import localenv
from scripts.fake_groq import stage_fake_groq
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests import media_samples
from tests.integration.media import rows

STACK_BYTES = 8 * 1024 * 1024
# Most requests go to an unknown path: the fallback Lambda answers 404 problem+json, the
# cheapest full round trip (API Gateway -> Lambda -> API Gateway). One in HEALTH_EVERY is the
# public health route, which also reads PostgreSQL and S3.
HEALTH_EVERY = 100
# A pipeline that has not ended while none other did for this long is stuck (a fixed deadline
# for all 100 would measure the machine's load, not the platform: 2 shared cores).
PIPELINE_STALL_S = 600.0
SETTLE_DEADLINE_S = 60.0
POLL_S = 0.5
WARMUP_REQUESTS_PER_CLIENT = 10


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


@dataclass(frozen=True)
class Sizes:
    requests: int = field(default_factory=lambda: _env_int("SOAK_REQUESTS", 20_000))
    pipelines: int = field(default_factory=lambda: _env_int("SOAK_PIPELINES", 100))
    concurrency: int = field(default_factory=lambda: _env_int("SOAK_CONCURRENCY", 8))
    media_concurrency: int = field(default_factory=lambda: _env_int("SOAK_MEDIA_CONCURRENCY", 4))


# --------------------------------------------------------------------------------------------
# LocalStack's process
# --------------------------------------------------------------------------------------------


def localstack_pid() -> int:
    """The PID localstack/ctl.py recorded for this checkout's (or LOCALSTACK_STATE_DIR's) stack."""
    state = Path(os.environ.get("LOCALSTACK_STATE_DIR") or localenv.ROOT / "localstack" / ".state")
    pid = int((state / "localstack.pid").read_text().strip())
    os.kill(pid, 0)  # ProcessLookupError when it is gone
    return pid


@dataclass(frozen=True)
class ProcessSample:
    threads: int
    maps: int
    stack_maps: int  # anonymous mappings of exactly 8 MiB: thread stacks
    rss_mb: float


def sample(pid: int) -> ProcessSample:
    proc = Path(f"/proc/{pid}")
    threads = len(os.listdir(proc / "task"))
    maps = stacks = 0
    for line in (proc / "maps").read_text().splitlines():
        maps += 1
        parts = line.split()
        start, end = (int(v, 16) for v in parts[0].split("-"))
        if end - start == STACK_BYTES and len(parts) < 6:  # no path: anonymous
            stacks += 1
    rss_kb = 0
    for line in (proc / "status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
    return ProcessSample(threads, maps, stacks, rss_kb / 1024)


class PeakSampler:
    """Samples the process every second on a thread of its own; keeps the maxima."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-sampler", daemon=True)
        self.peak_threads = 0
        self.peak_maps = 0

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            now = sample(self._pid)
            self.peak_threads = max(self.peak_threads, now.threads)
            self.peak_maps = max(self.peak_maps, now.maps)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def settled(
    pid: int, before: ProcessSample, deadline_s: float = SETTLE_DEADLINE_S
) -> ProcessSample:
    """The process once the work in flight has ended: polled until its thread and map counts
    are back within 2 % of ``before``, or the deadline (then the last sample, leak and all)."""
    deadline = time.monotonic() + deadline_s
    while True:
        now = sample(pid)
        flat = now.threads <= before.threads * 1.02 + 1 and now.maps <= before.maps * 1.02 + 1
        if flat or time.monotonic() > deadline:
            return now
        time.sleep(POLL_S)  # poll interval within the deadline


# --------------------------------------------------------------------------------------------
# API load
# --------------------------------------------------------------------------------------------


@dataclass
class ApiLoad:
    requests: int = 0
    failed: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    seconds: float = 0.0


def api_load(base_url: str, total: int, concurrency: int) -> ApiLoad:
    """``total`` GETs from ``concurrency`` keep-alive clients; 5xx and no answer are failures."""
    result = ApiLoad()
    lock = threading.Lock()
    numbers = itertools.count()

    def client_loop() -> None:
        statuses: collections.Counter[int] = collections.Counter()
        errors: collections.Counter[str] = collections.Counter()
        with httpx.Client(base_url=base_url, timeout=60.0) as client:
            while (n := next(numbers)) < total:
                path = "v1/health" if n % HEALTH_EVERY == 0 else f"v1/soak/{n}"
                try:
                    statuses[client.get(path).status_code] += 1
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
        with lock:
            result.statuses.update(statuses)
            result.errors.update(errors)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(client_loop) for _ in range(concurrency)]:
            future.result()
    result.seconds = time.monotonic() - started
    result.requests = sum(result.statuses.values()) + sum(result.errors.values())
    result.failed = sum(n for s, n in result.statuses.items() if s >= 500)
    result.failed += sum(result.errors.values())
    return result


# --------------------------------------------------------------------------------------------
# Media pipelines
# --------------------------------------------------------------------------------------------


@dataclass
class MediaLoad:
    started: int = 0
    ready: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _conn() -> psycopg.Connection[Any]:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    return psycopg.connect(conninfo_for(settings), autocommit=True)


def _ended(conn: psycopg.Connection[Any], ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    found = conn.execute(
        """SELECT upload_id, status, coalesce(reason, '') FROM media.assets
            WHERE upload_id = ANY(%s) AND status IN ('ready', 'failed')""",
        (list(ids),),
    ).fetchall()
    return {row[0]: (row[1], row[2]) for row in found}


def media_load(count: int, concurrency: int, answer: Path) -> MediaLoad:
    """``count`` answers uploaded to the bucket (S3 -> EventBridge -> Step Functions ->
    Lambdas), at most ``concurrency`` in flight; returns once every one has ended."""
    result = MediaLoad()
    bucket = localenv.stack_outputs()["MediaBucketName"]
    s3 = localenv.client("s3")
    body = answer.read_bytes()
    started = time.monotonic()
    deadline = started + PIPELINE_STALL_S
    in_flight: set[uuid.UUID] = set()
    with _conn() as conn:
        while result.started < count or in_flight:
            while result.started < count and len(in_flight) < concurrency:
                upload = rows.upload(conn)
                s3.put_object(
                    Bucket=bucket, Key=upload.key, Body=body, ContentType=upload.content_type
                )
                in_flight.add(upload.upload_id)
                result.started += 1
            for upload_id, (status, reason) in _ended(conn, in_flight).items():
                deadline = time.monotonic() + PIPELINE_STALL_S
                in_flight.discard(upload_id)
                if status == "ready":
                    result.ready += 1
                else:
                    result.failed.append(f"{upload_id}: {reason}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(in_flight)} pipelines stuck: none ended for {PIPELINE_STALL_S} s"
                )
            if in_flight:
                time.sleep(POLL_S)  # poll interval within the deadline
    result.seconds = time.monotonic() - started
    return result


# --------------------------------------------------------------------------------------------
# The soak
# --------------------------------------------------------------------------------------------


@dataclass
class SoakResult:
    sizes: Sizes
    before: ProcessSample
    after: ProcessSample
    api: ApiLoad
    media: MediaLoad
    peak_threads: int
    peak_maps: int
    seconds: float

    @property
    def threads_growth_pct(self) -> float:
        return (self.after.threads - self.before.threads) / self.before.threads * 100

    @property
    def maps_growth_pct(self) -> float:
        return (self.after.maps - self.before.maps) / self.before.maps * 100

    def metrics(self) -> dict[str, float]:
        return {
            "soak_requests": self.api.requests,
            "soak_failed": self.api.failed,
            "localstack_threads_growth": self.threads_growth_pct,
            "localstack_maps_growth": self.maps_growth_pct,
            "localstack_rss_mb": self.after.rss_mb,
        }

    def summary(self) -> dict[str, Any]:
        return {
            **self.metrics(),
            "soak_s": self.seconds,
            "api_s": self.api.seconds,
            "api_requests_per_s": self.api.requests / self.api.seconds,
            "statuses": dict(self.api.statuses),
            "errors": dict(self.api.errors),
            "pipelines": self.media.started,
            "pipelines_ready": self.media.ready,
            "pipelines_failed": len(self.media.failed),
            "media_s": self.media.seconds,
            "before": self.before.__dict__,
            "after": self.after.__dict__,
            "peak_threads": self.peak_threads,
            "peak_maps": self.peak_maps,
        }


def run(sizes: Sizes | None = None) -> SoakResult:
    sizes = sizes or Sizes()
    pid = localstack_pid()
    base_url = localenv.stack_outputs()["ApiUrl"]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, stage_fake_groq("fake-soak-key"):
        answer = media_samples.answer_webm(Path(tmp) / "answer.webm", 2, speech=False)
        # Warm-up at the load's concurrency, so every Lambda environment the load needs exists
        # (each holds a few LocalStack threads) before "before" is taken.
        with ThreadPoolExecutor(max_workers=2) as pool:
            warm_api = pool.submit(
                api_load,
                base_url,
                sizes.concurrency * WARMUP_REQUESTS_PER_CLIENT,
                sizes.concurrency,
            )
            warm_media = pool.submit(
                media_load, min(sizes.pipelines, sizes.media_concurrency), sizes.media_concurrency,
                answer,
            )  # fmt: skip
            warm_api.result()
            warm_media.result()
        before = settled(pid, sample(pid), deadline_s=10)
        with PeakSampler(pid) as peaks, ThreadPoolExecutor(max_workers=2) as pool:
            media = pool.submit(media_load, sizes.pipelines, sizes.media_concurrency, answer)
            api = api_load(base_url, sizes.requests, sizes.concurrency)
            media_result = media.result()
        after = settled(pid, before)
    return SoakResult(
        sizes=sizes, before=before, after=after, api=api, media=media_result,
        peak_threads=peaks.peak_threads, peak_maps=peaks.peak_maps,
        seconds=time.monotonic() - started,
    )  # fmt: skip


def measure() -> dict[str, float]:
    """The soak's figures for bench/resilience.py (growths in per cent; see the module doc); the
    whole summary (before, after, peaks, statuses) is printed."""
    result = run()
    print(json.dumps(result.summary(), indent=2))
    return result.metrics()


if __name__ == "__main__":
    print(json.dumps(run().summary(), indent=2))
