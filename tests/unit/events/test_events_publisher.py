"""The publisher: chunks of 10, only refused entries retried, bounded attempts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from shared.events import EventEnvelope
from shared.events.publisher import EventPublisher
from tests.unit.events.builders import sample_event

BUS = "interview-platform-test"


class FakeEventBridge:
    """Speaks PutEvents' protocol: at most 10 entries, per-entry EventId or ErrorCode, and
    FailedEntryCount. Refuses an entry (by its envelope's eventId) as many times as asked, the
    way EventBridge throttles some entries of a call and accepts the others."""

    def __init__(self, refusals: Mapping[str, int] | None = None, outages: int = 0) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self._refusals = dict(refusals or {})
        self._outages = outages
        self.accepted: list[dict[str, Any]] = []

    def put_events(self, *, Entries: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
        entries = [dict(entry) for entry in Entries]
        self.calls.append(entries)
        if self._outages:
            self._outages -= 1
            raise ClientError(
                {"Error": {"Code": "InternalException", "Message": "try again"}}, "PutEvents"
            )
        if not 1 <= len(entries) <= 10:
            raise ClientError(
                {"Error": {"Code": "ValidationException", "Message": "1-10 entries"}}, "PutEvents"
            )
        answers: list[dict[str, str]] = []
        for entry in entries:
            event_id = json.loads(entry["Detail"])["eventId"]
            if self._refusals.get(event_id, 0) > 0:
                self._refusals[event_id] -= 1
                answers.append(
                    {"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}
                )
            else:
                self.accepted.append(entry)
                answers.append({"EventId": f"eb-{len(self.accepted)}"})
        failed = sum(1 for answer in answers if "ErrorCode" in answer)
        return {"FailedEntryCount": failed, "Entries": answers}


def _publisher(client: FakeEventBridge, attempts: int = 4) -> tuple[EventPublisher, list[float]]:
    sleeps: list[float] = []
    return EventPublisher(client, BUS, max_attempts=attempts, sleep=sleeps.append), sleeps


def _events(n: int) -> list[EventEnvelope]:
    return [sample_event() for _ in range(n)]


def test_25_events_go_out_in_calls_of_10_10_and_5() -> None:
    client = FakeEventBridge()
    publisher, sleeps = _publisher(client)
    events = _events(25)

    result = publisher.publish(events)

    assert [len(call) for call in client.calls] == [10, 10, 5]
    assert result.published == [e.event_id for e in events]
    assert result.failed == {}
    assert sleeps == []


def test_an_entry_carries_the_envelope_as_detail() -> None:
    client = FakeEventBridge()
    publisher, _ = _publisher(client)
    event = sample_event("company.created")

    publisher.publish([event])

    entry = client.calls[0][0]
    assert entry["EventBusName"] == BUS
    assert entry["DetailType"] == "company.created"
    assert entry["Source"] == event.source
    assert json.loads(entry["Detail"]) == event.to_detail()


def test_only_refused_entries_are_sent_again() -> None:
    # Given 25 events, two of which EventBridge refuses once
    events = _events(25)
    refused = {str(events[3].event_id): 1, str(events[12].event_id): 1}
    client = FakeEventBridge(refusals=refused)
    publisher, sleeps = _publisher(client)

    # When they are published
    result = publisher.publish(events)

    # Then each refused entry is retried alone in its chunk, after a backoff
    assert [len(call) for call in client.calls] == [10, 1, 10, 1, 5]
    assert json.loads(client.calls[1][0]["Detail"])["eventId"] == str(events[3].event_id)
    assert json.loads(client.calls[3][0]["Detail"])["eventId"] == str(events[12].event_id)
    assert sorted(map(str, result.published)) == sorted(str(e.event_id) for e in events)
    assert result.failed == {}
    assert len(sleeps) == 2


def test_an_entry_refused_every_time_is_reported_failed_after_bounded_attempts() -> None:
    events = _events(3)
    client = FakeEventBridge(refusals={str(events[1].event_id): 100})
    publisher, sleeps = _publisher(client, attempts=3)

    result = publisher.publish(events)

    assert [len(call) for call in client.calls] == [3, 1, 1]
    assert result.published == [events[0].event_id, events[2].event_id]
    assert list(result.failed) == [events[1].event_id]
    assert result.failed[events[1].event_id].startswith("ThrottlingException")
    assert len(sleeps) == 2
    assert sleeps[1] <= 0.2  # full jitter under base * 2


def test_a_failed_call_is_retried_whole() -> None:
    client = FakeEventBridge(outages=1)
    publisher, _ = _publisher(client)
    events = _events(4)

    result = publisher.publish(events)

    assert [len(call) for call in client.calls] == [4, 4]
    assert result.published == [e.event_id for e in events]


def test_a_lasting_outage_reports_every_event_failed() -> None:
    client = FakeEventBridge(outages=10)
    publisher, _ = _publisher(client, attempts=2)
    events = _events(12)

    result = publisher.publish(events)

    assert result.published == []
    assert set(result.failed) == {e.event_id for e in events}
    assert all("InternalException" in error for error in result.failed.values())
