"""The envelope on the wire, and new_event as the only way to build one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from pydantic import ValidationError

from shared.events import EventContractError, EventEnvelope, UnknownEventTypeError, new_event
from shared.models.events.identity import UserRegistered, UserSuspended
from tests.unit.events.builders import ADMIN, COMPANY, USER, sample_event


def test_envelope_serialises_camel_case_with_utc_time() -> None:
    # Given an event that happened at 08:30 in UTC+2
    local_time = datetime(2026, 11, 22, 8, 30, tzinfo=timezone(timedelta(hours=2)))
    event = sample_event("user.suspended", occurred_at=local_time)

    # When it is serialised for EventBridge
    detail = json.loads(event.to_json())

    # Then the keys are camelCase and the time is the same instant, in UTC
    assert list(detail) == [
        "eventId",
        "eventType",
        "version",
        "occurredAt",
        "source",
        "correlationId",
        "tenantId",
        "payload",
    ]
    assert detail["occurredAt"] == "2026-11-22T06:30:00Z"
    assert detail["payload"] == {
        "userId": str(USER),
        "actorId": str(ADMIN),
        "reason": "abuse report",
    }
    assert detail["tenantId"] == str(COMPANY)


def test_absent_optional_ids_are_left_out_and_present_ones_kept() -> None:
    cause = uuid4()

    without = sample_event(tenant_id=None).to_detail()
    with_cause = sample_event(causation_id=cause).to_detail()

    assert "tenantId" not in without
    assert "causationId" not in without
    assert with_cause["causationId"] == str(cause)


def test_envelope_round_trips_through_json() -> None:
    event = sample_event("company.created", causation_id=uuid4())

    assert EventEnvelope.model_validate_json(event.to_json()) == event


def test_envelope_is_frozen() -> None:
    event = sample_event()

    with pytest.raises(ValidationError):
        event.version = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("eventType", "UserRegistered"),
        ("eventType", "user.registered.v2"),
        ("version", 0),
        ("occurredAt", "2026-11-22T06:30:00"),  # no timezone: ambiguous
        ("source", ""),
        ("unknownField", "x"),
    ],
)
def test_envelope_refuses_bad_fields(field: str, value: object) -> None:
    detail = sample_event().to_detail()
    detail[field] = value

    with pytest.raises(ValidationError):
        EventEnvelope.model_validate(detail)


def test_new_event_rejects_an_unknown_type() -> None:
    with pytest.raises(UnknownEventTypeError, match=r"user\.promoted"):
        new_event(
            "user.promoted",
            UserRegistered(user_id=USER, email="ada@example.com"),
            source="platform.identity",
            correlation_id="c",
        )


def test_new_event_rejects_a_payload_of_another_type() -> None:
    with pytest.raises(EventContractError, match="UserSuspended"):
        new_event(
            "user.suspended",
            UserRegistered(user_id=USER, email="ada@example.com"),
            source="platform.identity",
            correlation_id="c",
        )


def test_new_event_rejects_an_invalid_payload_that_skipped_validation() -> None:
    # Given a payload built without validation (model_construct) with a reason over 500 chars
    payload = UserSuspended.model_construct(user_id=USER, actor_id=ADMIN, reason="x" * 501)

    with pytest.raises(ValidationError, match="reason"):
        new_event("user.suspended", payload, source="platform.identity", correlation_id="c")


def test_new_event_fills_id_time_and_version() -> None:
    before = datetime.now(UTC)

    first = sample_event()
    second = sample_event()

    assert first.event_id != second.event_id
    assert first.version == 1
    assert before <= first.occurred_at <= datetime.now(UTC)
    assert first.occurred_at.tzinfo == UTC
