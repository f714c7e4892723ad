"""Event-kernel integration fixtures: a migrated throwaway database with a pool, and a throwaway
EventBridge bus on LocalStack whose rule delivers our events into an SQS queue."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from psycopg_pool import ConnectionPool

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.settings import DatabaseSettings
from tests.integration.conftest import LOCALSTACK


@pytest.fixture
def pool(database_settings: DatabaseSettings) -> Iterator[ConnectionPool]:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with ConnectionPool(conninfo, min_size=1, max_size=4, open=True, name="itest") as opened:
        yield opened


@dataclass(frozen=True)
class BusToQueue:
    events: Any
    sqs: Any
    bus_name: str
    queue_url: str

    def receive_all(self, expected: int, deadline_s: float = 20.0) -> list[dict[str, Any]]:
        """Messages until ``expected`` arrived (or the deadline), then one more empty poll to
        catch extras (a duplicate publish)."""
        received: list[dict[str, Any]] = []
        deadline = time.monotonic() + deadline_s
        while len(received) < expected and time.monotonic() < deadline:
            received.extend(self._receive(wait_s=1))
        received.extend(self._receive(wait_s=1))
        return received

    def _receive(self, wait_s: int) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_s
        )
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        for message in messages:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return messages


@pytest.fixture
def bus_to_queue() -> Iterator[BusToQueue]:
    events = localenv.client("events", LOCALSTACK)
    sqs = localenv.client("sqs", LOCALSTACK)
    name = f"itest-{uuid.uuid4().hex[:12]}"
    events.create_event_bus(Name=name)
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(
        Name=name,
        EventBusName=name,
        EventPattern=json.dumps({"detail-type": [{"prefix": "user."}, {"prefix": "company."}]}),
    )
    events.put_targets(Rule=name, EventBusName=name, Targets=[{"Id": "queue", "Arn": queue_arn}])
    try:
        yield BusToQueue(events, sqs, name, queue_url)
    finally:
        events.remove_targets(Rule=name, EventBusName=name, Ids=["queue"])
        events.delete_rule(Name=name, EventBusName=name)
        events.delete_event_bus(Name=name)
        sqs.delete_queue(QueueUrl=queue_url)
