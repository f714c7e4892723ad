"""A PostgreSQL outage in the middle of a media pipeline and an analysis, on the local stack.

Used by the outage test (tests/e2e/test_database_outage.py) and `make bench-resilience`:
- invitation A completes with a video answer whose pipeline is still running, invitation B
  with a text answer whose analysis is running; then the cluster the stage uses is stopped
  (found by port with pg_lsclusters), held down, and started again;
- the stage's Groq is a fake (``fakes.groq.server``) whose every call takes ``GROQ_LATENCY_S``
  until PostgreSQL is back: with answers analysed as they arrive and a pipeline of about two
  seconds, nothing else keeps the work in flight long enough for the stop to catch it. The
  stage's Groq secret is put back as it was afterwards;
- meanwhile routes are probed: each must answer 503 problem+json with Retry-After, quickly;
- afterwards every execution must end, both analyses complete, and nothing be lost or done
  twice (one asset per upload, one media.processed, one analysis, one analysis.started and one
  analysis.completed per invitation, every outbox row published).

The cluster is always started again (``finally``), and waited for with a poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from fakes.groq.server import FakeGroqServer
from scripts import db, localenv
from scripts.db import Cluster
from scripts.fake_groq import stage_fake_groq
from scripts.main_job import (
    CONSENT,
    TEXT,
    TOKEN_HEADER,
    VIDEO_SAID,
    expect,
    invite,
    recording,
    sign_up_hr,
    upload,
)
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings

READY_DEADLINE_S = 60.0
POLL_S = 0.25
EXECUTIONS_END_DEADLINE_S = 240.0  # longer than any retry schedule in statemachines/
# Each Groq call (transcription, chat) while PostgreSQL goes down: longer than the stop takes.
GROQ_LATENCY_S = 10.0


class OutageError(RuntimeError):
    """The scenario could not be run (no cluster to stop, a step that did not happen)."""


def stage_database() -> DatabaseSettings:
    return DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)


def cluster_for_port(port: int) -> Cluster:
    """The Debian cluster listening on ``port`` (the one the stage under test uses)."""
    try:
        return db.cluster_for_port(port)
    except db.ClusterNotFound as exc:
        raise OutageError(f"no cluster to stop: {exc}") from exc


def _reachable(settings: DatabaseSettings) -> bool:
    try:
        with psycopg.connect(conninfo_for(settings), connect_timeout=2) as conn:
            conn.execute("SELECT 1")
            return True
    except psycopg.OperationalError:
        return False


def wait_until(check: Callable[[], bool], deadline_s: float, what: str) -> float:
    """Poll ``check`` until true; the seconds it took."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > deadline_s:
            raise OutageError(f"{what} not within {deadline_s:.0f} s")
        time.sleep(POLL_S)  # poll interval within the deadline
    return time.monotonic() - started


@contextmanager
def stopped(cluster: Cluster, settings: DatabaseSettings) -> Iterator[None]:
    """The cluster down for the block; up again (and accepting connections) afterwards,
    whatever happened inside."""
    db.control_cluster(cluster, "stop")
    try:
        wait_until(lambda: not _reachable(settings), 30, "PostgreSQL stopping")
        yield
    finally:
        db.control_cluster(cluster, "start")
        wait_until(lambda: _reachable(settings), READY_DEADLINE_S, "PostgreSQL accepting again")


@dataclass
class Probe:
    path: str
    status: int
    seconds: float
    content_type: str
    retry_after: str | None


@dataclass
class OutageResult:
    outage_s: float = 0.0
    recovery_s: float = 0.0
    probes: list[Probe] = field(default_factory=list)
    media_in_flight: bool = False
    analysis_in_flight: bool = False
    analyses: dict[str, str] = field(default_factory=dict)
    executions_running: int = 0
    lost: int = 0
    duplicated: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def _probe(api: httpx.Client, path: str, headers: dict[str, str]) -> Probe:
    started = time.monotonic()
    response = api.get(path, headers=headers)
    return Probe(
        path,
        response.status_code,
        time.monotonic() - started,
        response.headers.get("content-type", ""),
        response.headers.get("retry-after"),
    )


def _template(api: httpx.Client, hr: dict[str, str], questions: list[dict[str, Any]]) -> list[str]:
    template = expect(
        api.post("v1/templates", json={"title": "Outage", "settings": {}}, headers=hr), 201
    )
    ids = [
        str(
            expect(api.post(f"v1/templates/{template['id']}/questions", json=q, headers=hr), 201)[
                "question"
            ]["id"]
        )
        for q in questions
    ]
    expect(api.post(f"v1/templates/{template['id']}/publish", headers=hr))
    return [str(template["id"]), *ids]


def _analysis_status(api: httpx.Client, hr: dict[str, str], invitation_id: str) -> str:
    response = api.get(f"v1/invitations/{invitation_id}/analysis", headers=hr)
    return str(response.json().get("status")) if response.status_code == 200 else "none"


@contextmanager
def slow_groq(latency_s: float, script: list[str]) -> Iterator[FakeGroqServer]:
    """The stage on a fake Groq whose every call takes ``latency_s`` (its words from
    ``script``) for the block; the stage's secret as it was afterwards."""
    with stage_fake_groq() as fake:
        fake.set_latency(latency_s)
        fake.set_script(script)
        yield fake


def _invoke(function_name: str) -> None:
    localenv.client("lambda").invoke(FunctionName=function_name, Payload=b"{}")


def run(
    api: httpx.Client,
    workdir: Path,
    *,
    hold_s: float = 20.0,
    settle_deadline_s: float = 600.0,
    log: Callable[[str], None] = lambda _line: None,
) -> OutageResult:
    script = [s.strip() + "." for s in VIDEO_SAID.split(".") if s.strip()]
    with slow_groq(GROQ_LATENCY_S, script) as groq:
        return _run(api, workdir, groq, hold_s=hold_s, settle_deadline_s=settle_deadline_s, log=log)


def _answer_and_complete(
    api: httpx.Client,
    a: tuple[dict[str, str], str, bytes],
    b: tuple[dict[str, str], str],
) -> str:
    """A answers its video question and completes; B its text question. A's upload id."""
    link_a, video_id, video = a
    link_b, text_id = b
    # A: the upload starts the pipeline; the answer and the completion follow at once.
    upload_a = upload(api, link_a, video_id, video, "video/webm")
    expect(
        api.post(
            f"v1/candidate/interview/questions/{video_id}/answer",
            json={"upload_id": upload_a},
            headers=link_a,
        ),
        201,
    )
    expect(api.post("v1/candidate/interview/complete", json={"reason": "manual"}, headers=link_a))
    # B: a text answer, completed: its analysis starts by itself.
    expect(
        api.post(
            f"v1/candidate/interview/questions/{text_id}/answer",
            json={"text": TEXT},
            headers=link_b,
        ),
        201,
    )
    expect(api.post("v1/candidate/interview/complete", json={"reason": "manual"}, headers=link_b))
    return upload_a


def _run(
    api: httpx.Client,
    workdir: Path,
    groq: FakeGroqServer,
    *,
    hold_s: float,
    settle_deadline_s: float,
    log: Callable[[str], None],
) -> OutageResult:
    settings = stage_database()
    cluster = cluster_for_port(settings.port)
    outputs = localenv.stack_outputs()
    result = OutageResult()
    hr, _company = sign_up_hr(api)
    video_q = {"type": "video", "text": "Tell us about a design.", "time_limit_s": 120}
    text_q = {"type": "text", "text": "How would you speed up a query?", "time_limit_s": 300}
    template_a, video_id = _template(api, hr, [video_q])
    template_b, text_id = _template(api, hr, [text_q])
    inv_a = invite(api, hr, template_a, "Ada Lovelace")
    inv_b = invite(api, hr, template_b, "Barbara Liskov")
    link_a = {TOKEN_HEADER: str(inv_a["link_token"])}
    link_b = {TOKEN_HEADER: str(inv_b["link_token"])}
    video = recording(workdir / "video.webm", VIDEO_SAID, video=True)
    for link in (link_a, link_b):
        expect(api.post("v1/candidate/interview/start", json=CONSENT, headers=link))
    # The probed routes once while PostgreSQL is up, before the work starts: what is measured
    # below is the answer to a database outage, not a Lambda cold start on a busy machine.
    probes: tuple[tuple[str, dict[str, str]], ...] = (
        ("v1/templates", hr),
        ("v1/health", {}),
        ("v1/candidate/interview", link_a),
    )
    for path, headers in probes:
        api.get(path, headers=headers)
    upload_a = _answer_and_complete(api, (link_a, video_id, video), (link_b, text_id))
    deadline = time.monotonic() + 60
    while _analysis_status(api, hr, str(inv_b["id"])) not in ("running", "completed", "failed"):
        if time.monotonic() > deadline:
            raise OutageError("invitation B's analysis did not start within 60 s")
        time.sleep(POLL_S)  # poll interval within the deadline
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        media_row = conn.execute(
            "SELECT status FROM media.assets WHERE upload_id = %s", (upload_a,)
        ).fetchone()
    result.media_in_flight = media_row is None or media_row[0] not in ("ready", "failed")
    result.analysis_in_flight = _analysis_status(api, hr, str(inv_b["id"])) == "running"
    log(f"stopping cluster {cluster.version}/{cluster.name} (port {cluster.port})")
    down_at = time.monotonic()
    with stopped(cluster, settings):
        while time.monotonic() - down_at < hold_s:
            result.probes.extend(_probe(api, path, headers) for path, headers in probes)
        log(f"{len(result.probes)} probes while down; starting the cluster")
    back_at = time.monotonic()
    result.outage_s = back_at - down_at
    groq.set_latency(0.0)  # the calls in flight keep theirs; the recovery need not wait
    wait_until(
        lambda: api.get("v1/templates", headers=hr).status_code == 200, 120, "a 200 after restart"
    )
    result.recovery_s = time.monotonic() - back_at
    log(f"first 200 {result.recovery_s:.2f} s after PostgreSQL was back")

    # Every analysis ends; the sweeps run as their schedules would (no-ops unless stuck).
    def finished() -> bool:
        for inv in (inv_a, inv_b):
            result.analyses[str(inv["id"])] = _analysis_status(api, hr, str(inv["id"]))
        if all(s in ("completed", "failed") for s in result.analyses.values()):
            return True
        for name in ("MediaSweepFunctionName", "AnalysisSweepFunctionName"):
            if name in outputs:
                _invoke(outputs[name])
        time.sleep(2)  # between sweeps, within the deadline
        return False

    wait_until(finished, settle_deadline_s, "both analyses finished")
    result.details["groq_calls"] = dict(groq.calls)
    _account(result, settings, outputs, upload_a, [str(inv_a["id"]), str(inv_b["id"])])
    return result


def _running_executions(arn: str, needle: str) -> int:
    sfn = localenv.client("stepfunctions")
    running = 0
    for page in sfn.get_paginator("list_executions").paginate(
        stateMachineArn=arn, statusFilter="RUNNING"
    ):
        for item in page["executions"]:
            described = sfn.describe_execution(executionArn=item["executionArn"])
            if needle in described.get("input", ""):
                running += 1
    return running


def _account(
    result: OutageResult,
    settings: DatabaseSettings,
    outputs: dict[str, str],
    upload_id: str,
    invitations: list[str],
) -> None:
    """What was lost (expected and absent) and what was done twice."""
    lost: dict[str, int] = {}
    twice: dict[str, int] = {}
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:

        def count(query: str, *params: object) -> int:
            row = conn.execute(query.encode(), params).fetchone()
            return int(row[0]) if row else 0

        assets = count(
            "SELECT count(*) FROM media.assets WHERE upload_id = %s AND status = 'ready'", upload_id
        )
        lost["media_ready"] = int(assets == 0)
        twice["media_assets"] = max(
            0, count("SELECT count(*) FROM media.assets WHERE upload_id = %s", upload_id) - 1
        )
        processed = count(
            "SELECT count(*) FROM platform.outbox WHERE event_type = 'media.processed'"
            " AND envelope -> 'payload' ->> 'uploadId' = %s",
            upload_id,
        )
        twice["media_processed"] = max(0, processed - 1)
        for invitation in invitations:
            analyses = count(
                "SELECT count(*) FROM analysis.analyses WHERE invitation_id = %s", invitation
            )
            done = count(
                "SELECT count(*) FROM analysis.analyses WHERE invitation_id = %s"
                " AND status = 'completed'",
                invitation,
            )
            lost[f"analysis_completed:{invitation}"] = int(done == 0)
            twice[f"analyses:{invitation}"] = max(0, analyses - 1)
            for event_type in ("analysis.started", "analysis.completed"):
                n = count(
                    "SELECT count(*) FROM platform.outbox WHERE event_type = %s"
                    " AND envelope -> 'payload' ->> 'invitationId' = %s",
                    event_type,
                    invitation,
                )
                twice[f"{event_type}:{invitation}"] = max(0, n - 1)
                lost[f"{event_type}:{invitation}"] = int(n == 0)
        # Rows of these invitations' events still unpublished after the relay's schedule.
        relay = outputs.get("OutboxRelayFunctionName")
        if relay:
            _invoke(relay)
        lost["unpublished_outbox_rows"] = count(
            "SELECT count(*) FROM platform.outbox WHERE published_at IS NULL"
            " AND (envelope -> 'payload' ->> 'invitationId' = ANY(%s)"
            " OR envelope -> 'payload' ->> 'uploadId' = %s)",
            invitations,
            upload_id,
        )
    media_arn = outputs.get("MediaPipelineStateMachineArn", "")
    analysis_arn = outputs.get("AnalysisStateMachineArn", "")

    def running() -> int:
        return _running_executions(media_arn, upload_id) + sum(
            _running_executions(analysis_arn, inv) for inv in invitations
        )

    # An analysis is completed in PostgreSQL a step before its execution ends, and an execution
    # the sweep replaced may still be in its last retry's back-off (at most 20 s a try): every
    # execution must end, within the longest retry schedule of the state machines.
    started = time.monotonic()
    result.executions_running = running()
    while result.executions_running and time.monotonic() - started < EXECUTIONS_END_DEADLINE_S:
        time.sleep(2)  # poll interval within the deadline (each poll lists the executions)
        result.executions_running = running()
    result.details["executions_ended_after_s"] = round(time.monotonic() - started, 1)
    result.lost = sum(lost.values())
    result.duplicated = sum(twice.values())
    result.details.update({"lost": lost, "duplicated": twice})
