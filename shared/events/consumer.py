"""Idempotent SQS consumers of our events, with per-message failure reporting.

A message is an EventBridge event (delivered by a rule to the consumer's queue) whose ``detail``
is our envelope. Each one is processed in one PostgreSQL transaction that first records
``(event_id, consumer)`` in ``platform.processed_events``: when that row already exists the event
already had its effect and the message is acknowledged without doing anything, so a redelivered or
republished event has exactly one effect. A message that cannot be parsed or whose effect fails is
reported in ``batchItemFailures``; SQS redelivers it and, after maxReceiveCount, dead-letters it.
Nothing is dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol
from uuid import UUID

import psycopg
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from psycopg_pool import ConnectionPool
from pydantic import ValidationError

from shared.events.envelope import EventEnvelope
from shared.events.errors import MalformedEventError
from shared.observability import logger

_CLAIM = """
INSERT INTO platform.processed_events (event_id, consumer) VALUES (%s, %s)
ON CONFLICT (event_id, consumer) DO NOTHING
"""


def envelope_from_body(body: str) -> EventEnvelope:
    """The envelope inside an SQS message body that EventBridge delivered (``detail``)."""
    try:
        message = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise MalformedEventError("message body is not JSON") from exc
    if not isinstance(message, dict) or not isinstance(message.get("detail"), dict):
        raise MalformedEventError("message body is not an EventBridge event with a detail")
    try:
        envelope = EventEnvelope.model_validate(message["detail"])
    except ValidationError as exc:
        errors = exc.error_count()
        raise MalformedEventError(f"detail is not a valid envelope ({errors} errors)") from exc
    if message.get("detail-type") not in (None, envelope.event_type):
        raise MalformedEventError("detail-type and the envelope's eventType disagree")
    return envelope


class Deduplicator[C](Protocol):
    """Runs an effect at most once per (event, consumer), in one transaction with the claim."""

    def run_once(
        self, event_id: UUID, consumer: str, effect: Callable[[C], None]
    ) -> bool:  # True when the effect ran now, False when it had already run
        ...


class PostgresDeduplicator:
    """The claim row and the effect commit together; when the effect fails both roll back."""

    def __init__(self, connect: Callable[[], AbstractContextManager[psycopg.Connection[Any]]]):
        self._connect = connect

    @classmethod
    def from_pool(cls, pool: Callable[[], ConnectionPool]) -> PostgresDeduplicator:
        """``pool`` is a factory (e.g. ``get_pool``), so it opens on first use, not at import."""

        @contextmanager
        def connect() -> Iterator[psycopg.Connection[Any]]:
            with pool().connection() as conn:
                yield conn

        return cls(connect)

    def run_once(
        self, event_id: UUID, consumer: str, effect: Callable[[psycopg.Connection[Any]], None]
    ) -> bool:
        with self._connect() as conn, conn.transaction():
            # A concurrent delivery of the same event waits here on the primary key until the
            # first one commits (then skips) or rolls back (then processes).
            claimed = conn.execute(_CLAIM, (event_id, consumer)).rowcount == 1
            if claimed:
                effect(conn)
            return claimed


class EventConsumer[C]:
    """One named consumer: ``effect(tx, envelope)`` runs once per event id."""

    def __init__(
        self,
        name: str,
        effect: Callable[[C, EventEnvelope], None],
        deduplicator: Deduplicator[C],
    ) -> None:
        if not 1 <= len(name) <= 100:
            raise ValueError("a consumer's name is 1-100 characters")
        self.name = name
        self._effect = effect
        self._deduplicator = deduplicator

    def handle_body(self, body: str) -> bool:
        """Process one message body; True when the effect ran now, False for a duplicate."""
        envelope = envelope_from_body(body)
        logger.append_keys(correlation_id=envelope.correlation_id, event_id=str(envelope.event_id))
        try:
            ran = self._deduplicator.run_once(
                envelope.event_id, self.name, lambda tx: self._effect(tx, envelope)
            )
        finally:
            logger.remove_keys(["correlation_id", "event_id"])
        if not ran:
            logger.debug("duplicate event skipped", extra={"event_id": str(envelope.event_id)})
        return ran

    def handle_record(self, record: SQSRecord) -> bool:
        try:
            return self.handle_body(record.body)
        except Exception:
            # The batch processor only reports the failure to SQS: say here what went wrong.
            logger.exception(
                "event not processed; SQS delivers it again (then to the dead-letter queue)",
                extra={"consumer": self.name, "sqs_message_id": record.message_id},
            )
            raise

    def handle_batch(
        self, event: dict[str, Any], context: LambdaContext | None = None
    ) -> PartialItemFailureResponse:
        """An SQS batch in, ``{"batchItemFailures": [...]}`` out (only the failed messages)."""
        # Never raise for a batch that failed entirely: report every message instead, so a
        # batch of one poison message behaves like any other failure.
        processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        return process_partial_response(
            event=event, record_handler=self.handle_record, processor=processor, context=context
        )
