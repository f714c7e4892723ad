"""Consumers: an event has one effect however often it is delivered; bad messages fail loudly."""

from __future__ import annotations

import json
from collections.abc import Callable
from uuid import UUID

import pytest

from shared.events import EventEnvelope, MalformedEventError
from shared.events.audit import audit_entry
from shared.events.consumer import EventConsumer, envelope_from_body
from tests.unit.events.builders import ADMIN, body_of, eventbridge_event, sample_event, sqs_batch

Effects = list[tuple[str, UUID]]


class InMemoryDeduplicator:
    """processed_events' contract: the claim and the effect commit or roll back together."""

    def __init__(self) -> None:
        self.claims: set[tuple[UUID, str]] = set()
        self.committed: Effects = []

    def run_once(self, event_id: UUID, consumer: str, effect: Callable[[Effects], None]) -> bool:
        key = (event_id, consumer)
        if key in self.claims:
            return False
        pending: Effects = []
        effect(pending)  # raises -> nothing is recorded, as a rolled-back transaction
        self.claims.add(key)
        self.committed.extend(pending)
        return True


def _consumer(
    effect: Callable[[Effects, EventEnvelope], None] | None = None,
) -> tuple[EventConsumer[Effects], InMemoryDeduplicator]:
    dedupe = InMemoryDeduplicator()

    def record(tx: Effects, envelope: EventEnvelope) -> None:
        tx.append((envelope.event_type, envelope.event_id))

    return EventConsumer("audit-log", effect or record, dedupe), dedupe


def test_the_same_event_three_times_has_one_effect() -> None:
    consumer, dedupe = _consumer()
    body = body_of(sample_event())

    outcomes = [consumer.handle_body(body) for _ in range(3)]

    assert outcomes == [True, False, False]
    assert len(dedupe.committed) == 1


def test_two_consumers_each_process_the_same_event_once() -> None:
    dedupe = InMemoryDeduplicator()
    body = body_of(sample_event())

    def record(tx: Effects, envelope: EventEnvelope) -> None:
        tx.append((envelope.event_type, envelope.event_id))

    assert EventConsumer("audit-log", record, dedupe).handle_body(body)
    assert EventConsumer("mailer", record, dedupe).handle_body(body)
    assert len(dedupe.committed) == 2


def test_a_failed_effect_leaves_no_claim_so_a_redelivery_processes_it() -> None:
    attempts: list[int] = []

    def flaky(tx: Effects, envelope: EventEnvelope) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database hiccup")
        tx.append((envelope.event_type, envelope.event_id))

    consumer, dedupe = _consumer(flaky)
    body = body_of(sample_event())

    with pytest.raises(RuntimeError):
        consumer.handle_body(body)
    assert consumer.handle_body(body) is True
    assert len(dedupe.committed) == 1


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"detail-type": "user.registered"}),
        json.dumps({"detail": {"eventId": "not-a-uuid"}}),
    ],
)
def test_malformed_messages_are_errors(body: str) -> None:
    with pytest.raises(MalformedEventError):
        envelope_from_body(body)


def test_detail_type_must_match_the_envelope() -> None:
    message = eventbridge_event(sample_event("user.suspended"))
    message["detail-type"] = "user.activated"

    with pytest.raises(MalformedEventError, match="disagree"):
        envelope_from_body(json.dumps(message))


def test_a_batch_reports_only_the_poison_message() -> None:
    # Given a batch: an event, a poison message, the same event again, another event
    consumer, dedupe = _consumer()
    first, second = sample_event(), sample_event("company.created")
    batch = sqs_batch(body_of(first), "{not json", body_of(first), body_of(second))
    poison_id = batch["Records"][1]["messageId"]

    # When the consumer handles it
    response = consumer.handle_batch(batch)

    # Then only the poison message is reported, and each event had one effect
    assert response == {"batchItemFailures": [{"itemIdentifier": poison_id}]}
    assert sorted(dedupe.committed) == sorted(
        [(first.event_type, first.event_id), (second.event_type, second.event_id)]
    )


def test_a_batch_of_only_poison_is_reported_not_raised() -> None:
    consumer, _ = _consumer()
    batch = sqs_batch("{", "[]")

    response = consumer.handle_batch(batch)

    assert [f["itemIdentifier"] for f in response["batchItemFailures"]] == [
        r["messageId"] for r in batch["Records"]
    ]


def test_audit_entry_names_the_actor_when_the_event_has_one() -> None:
    suspended = audit_entry(sample_event("user.suspended"))
    registered = audit_entry(sample_event("user.registered", tenant_id=None))

    assert suspended.actor_id == ADMIN
    assert suspended.envelope["eventId"] == str(suspended.event_id)
    assert registered.actor_id is None
    assert registered.tenant_id is None
