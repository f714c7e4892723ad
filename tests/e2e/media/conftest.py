"""Media e2e fixtures: the deployed stage's bucket and state machine, the stage's database, the
fake Groq server with the stage's Groq secret pointed at it, and waiting for executions."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from fakes.groq import FakeGroqServer
from scripts import localenv
from scripts.fake_groq import stage_fake_groq
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests.integration.media import rows

EXECUTION_DEADLINE_S = 240.0
POLL_S = 0.5


@pytest.fixture(scope="session")
def media_outputs(outputs: dict[str, str]) -> dict[str, str]:
    if "MediaPipelineStateMachineArn" not in outputs:
        pytest.fail("the media pipeline is not deployed on this stage (make deploy)")
    return outputs


@pytest.fixture(scope="session")
def bucket(media_outputs: dict[str, str]) -> str:
    return media_outputs["MediaBucketName"]


@pytest.fixture(scope="session")
def state_machine(media_outputs: dict[str, str]) -> str:
    return media_outputs["MediaPipelineStateMachineArn"]


@pytest.fixture(scope="session")
def s3() -> Any:
    return localenv.client("s3")


@pytest.fixture(scope="session")
def sfn() -> Any:
    return localenv.client("stepfunctions")


@pytest.fixture
def db() -> Iterator[psycopg.Connection[Any]]:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def fake_groq() -> Iterator[FakeGroqServer]:
    """The fake Groq, and the stage's Groq secret pointing at it (restored afterwards)."""
    with stage_fake_groq("fake-test-key") as server:
        yield server


@pytest.fixture
def groq(fake_groq: FakeGroqServer) -> FakeGroqServer:
    fake_groq.reset()
    return fake_groq


def post_upload(s3: Any, bucket: str, upload: rows.UploadRows, path: Path) -> None:
    """Upload as a browser does: the presigned POST, straight to S3."""
    post = rows.presigned_post(s3, bucket, upload, 500 * 1024 * 1024)
    with path.open("rb") as handle:
        response = httpx.post(
            post["url"],
            data=post["fields"],
            files={"file": (path.name, handle, upload.content_type)},
            timeout=60,
        )
    assert response.status_code in {200, 204}, response.text


@dataclass
class Execution:
    arn: str
    status: str
    output: dict[str, Any] | None
    error: str | None
    cause: str | None


def wait_for_execution(
    sfn: Any, state_machine: str, key: str, *, deadline_s: float = EXECUTION_DEADLINE_S,
    count: int = 1,
) -> list[Execution]:  # fmt: skip
    """The executions started for ``key``, once ``count`` of them have ended."""
    deadline = time.monotonic() + deadline_s
    seen: dict[str, str] = {}
    while True:
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine):
            for item in page["executions"]:
                arn = item["executionArn"]
                if arn not in seen:
                    described = sfn.describe_execution(executionArn=arn)
                    seen[arn] = described.get("input", "")
        mine = [arn for arn, text in seen.items() if key in text]
        ended = []
        for arn in mine:
            described = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                output = described.get("output")
                ended.append(
                    Execution(
                        arn,
                        described["status"],
                        json.loads(output) if output else None,
                        described.get("error"),
                        described.get("cause"),
                    )
                )
        if len(ended) >= count:
            return ended
        if time.monotonic() > deadline:
            raise AssertionError(f"no ended execution for {key} within {deadline_s} s: {mine}")
        time.sleep(POLL_S)  # poll interval within the deadline


def history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
        events.extend(page["events"])
    return events


def asset(db: psycopg.Connection[Any], key: str) -> dict[str, Any]:
    with db.cursor(row_factory=psycopg.rows.dict_row) as cur:
        row = cur.execute(
            "SELECT * FROM media.assets WHERE object_key = %s ORDER BY created_at DESC LIMIT 1",
            (key,),
        ).fetchone()
    assert row is not None, f"no asset for {key}"
    return row
