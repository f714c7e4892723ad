"""The redrive command's two ways of moving dead letters, on LocalStack's SQS."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from scripts import localenv
from scripts.redrive import move_by_copy, redrive, resolve
from tests.integration.conftest import LOCALSTACK


@pytest.fixture
def sqs() -> Any:
    return localenv.client("sqs", LOCALSTACK)


@pytest.fixture
def source_and_dlq(sqs: Any) -> Iterator[tuple[str, str]]:
    name = f"itest-{uuid.uuid4().hex[:12]}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
    source_url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": policy})["QueueUrl"]
    try:
        yield source_url, dlq_url
    finally:
        sqs.delete_queue(QueueUrl=source_url)
        sqs.delete_queue(QueueUrl=dlq_url)


def _drain(sqs: Any, url: str, expected: int, deadline_s: float = 20) -> list[str]:
    bodies: list[str] = []
    deadline = time.monotonic() + deadline_s
    while len(bodies) < expected and time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", []):
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def _move_by_copy(sqs: Any, source: str) -> int:
    return move_by_copy(sqs, resolve(sqs, source), time.monotonic() + 30)


def _redrive(sqs: Any, source: str) -> int:
    return redrive(sqs, source, deadline_s=30)[1]


@pytest.mark.parametrize("move", [_move_by_copy, _redrive], ids=["receive-send-delete", "task"])
def test_dead_letters_go_back_to_their_source_queue(
    sqs: Any, source_and_dlq: tuple[str, str], move: Callable[[Any, str], int]
) -> None:
    # Given 13 messages in the dead-letter queue
    source_url, dlq_url = source_and_dlq
    bodies = [json.dumps({"n": n}) for n in range(13)]
    for body in bodies:
        sqs.send_message(QueueUrl=dlq_url, MessageBody=body)

    # When they are redriven
    moved = move(sqs, source_url)

    # Then all 13 are back in the source queue and none is left behind
    assert moved == 13
    assert sorted(_drain(sqs, source_url, 13)) == sorted(bodies)
    assert _drain(sqs, dlq_url, 1, deadline_s=2) == []


def test_a_queue_without_dlq_is_refused(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=f"itest-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    try:
        with pytest.raises(SystemExit, match="no dead-letter queue"):
            resolve(sqs, url)
    finally:
        sqs.delete_queue(QueueUrl=url)
