"""Builders for event-kernel tests: sample payloads for every catalogue type, EventBridge and
SQS shapes (from events/samples), and an SQS batch as Lambda receives it."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from shared.events import EventEnvelope, new_event
from shared.models.events.identity import (
    CompanyCreated,
    CompanyMemberAdded,
    SkillChanged,
    UserActivated,
    UserDeleted,
    UserEmailChanged,
    UserEmailChangeRequested,
    UserEmailVerified,
    UserPasswordReset,
    UserPasswordResetRequested,
    UserRegistered,
    UserRegistrationRepeated,
    UserRoleSelected,
    UserSuspended,
    UserUpdated,
    UserVerificationRequested,
)
from tests.builders import FakeLambdaContext, _sample

USER = UUID("5d1c9a7e-2b3f-4c6d-8e9f-0a1b2c3d4e5f")
ADMIN = UUID("9e8d7c6b-5a49-4382-a716-0f1e2d3c4b5a")
COMPANY = UUID("1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6")
LINK = UUID("5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e")
WHEN = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)

from tests.unit.events.samples_analysis import ANALYSIS_SAMPLES  # noqa: E402
from tests.unit.events.samples_interviews import INTERVIEWS_SAMPLES, MEDIA_SAMPLES  # noqa: E402
from tests.unit.events.samples_reports import REPORTS_SAMPLES  # noqa: E402

SAMPLE_PAYLOADS: dict[str, BaseModel] = {
    "user.registered": UserRegistered(user_id=USER, email="ada@example.com"),
    "user.role_selected": UserRoleSelected(
        user_id=USER, role="hr", previous_role="pending", actor_id=USER
    ),
    "user.updated": UserUpdated(user_id=USER, changed_fields=["first_name"], actor_id=USER),
    "user.suspended": UserSuspended(user_id=USER, actor_id=ADMIN, reason="abuse report"),
    "user.activated": UserActivated(user_id=USER, actor_id=ADMIN),
    "user.deleted": UserDeleted(user_id=USER, actor_id=ADMIN),
    "user.verification_requested": UserVerificationRequested(
        user_id=USER, email="ada@example.com", link_id=LINK, expires_at=WHEN
    ),
    "user.registration_repeated": UserRegistrationRepeated(user_id=USER, email="ada@example.com"),
    "user.email_verified": UserEmailVerified(user_id=USER, email="ada@example.com"),
    "user.password_reset_requested": UserPasswordResetRequested(
        user_id=USER, email="ada@example.com", link_id=LINK, expires_at=WHEN
    ),
    "user.password_reset": UserPasswordReset(user_id=USER, email="ada@example.com"),
    "user.email_change_requested": UserEmailChangeRequested(
        user_id=USER, new_email="ada@new.example.com", link_id=LINK, expires_at=WHEN
    ),
    "user.email_changed": UserEmailChanged(
        user_id=USER, previous_email="ada@example.com", email="ada@new.example.com"
    ),
    "company.created": CompanyCreated(company_id=COMPANY, name="Acme", actor_id=USER),
    "company.member_added": CompanyMemberAdded(company_id=COMPANY, user_id=ADMIN, actor_id=USER),
    "skill.created": SkillChanged(kind="category", id=LINK, name="Programming", actor_id=ADMIN),
    "skill.updated": SkillChanged(
        kind="skill",
        id=LINK,
        name="Python",
        category_id=COMPANY,
        changed_fields=["name"],
        actor_id=ADMIN,
    ),
    "skill.retired": SkillChanged(
        kind="skill", id=LINK, name="Python", category_id=COMPANY, actor_id=ADMIN
    ),
    **INTERVIEWS_SAMPLES,
    **MEDIA_SAMPLES,
    **ANALYSIS_SAMPLES,
    **REPORTS_SAMPLES,
}


def sample_event(event_type: str = "user.suspended", **overrides: Any) -> EventEnvelope:
    options: dict[str, Any] = {
        "source": "platform.identity",
        "correlation_id": f"test-{uuid.uuid4().hex[:8]}",
        "tenant_id": COMPANY,
    }
    options.update(overrides)
    return new_event(event_type, SAMPLE_PAYLOADS[event_type], **options)


def eventbridge_event(envelope: EventEnvelope) -> dict[str, Any]:
    """What EventBridge delivers to a target for ``envelope`` published on our bus."""
    event = copy.deepcopy(_sample("eventbridge_platform_event"))
    event["id"] = str(uuid.uuid4())
    event["detail-type"] = envelope.event_type
    event["source"] = envelope.source
    event["time"] = envelope.occurred_at.isoformat().replace("+00:00", "Z")
    event["detail"] = envelope.to_detail()
    return event


def sqs_record(body: str, message_id: str | None = None) -> dict[str, Any]:
    record = copy.deepcopy(_sample("sqs_record_from_eventbridge"))
    record["messageId"] = message_id or str(uuid.uuid4())
    record["body"] = body
    record["md5OfBody"] = hashlib.md5(body.encode(), usedforsecurity=False).hexdigest()
    return record


def sqs_batch(*bodies: str) -> dict[str, Any]:
    return {"Records": [sqs_record(body) for body in bodies]}


def body_of(envelope: EventEnvelope) -> str:
    return json.dumps(eventbridge_event(envelope))


__all__ = ["FakeLambdaContext"]
