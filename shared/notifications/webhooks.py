"""Webhooks per company: endpoints with their event types and a secret each, deliveries signed
by the Standard Webhooks spec (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``),
retried on a schedule of about a day; only 2xx is success; 410 disables the endpoint, and so
does a run of failures over days (its owner is emailed). Every attempt is logged.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.appkey import AppKey
from shared.dal.sql import Conn
from shared.errors import ConflictError, UnprocessableError
from shared.events.envelope import EventEnvelope
from shared.notifications import dal, webhook_dal
from shared.notifications.settings import NotificationsSettings
from shared.notifications.ssrf import Resolver, UnsafeUrl, check_url, system_resolver
from shared.notifications.webhook_models import (
    PING,
    AttemptOut,
    DeliveryList,
    DeliveryOut,
    EndpointCreate,
    EndpointList,
    EndpointOut,
    EndpointUpdate,
    EndpointWithSecret,
    WebhookEventType,
)
from shared.notifications.webhook_rows import DeliveryRow, EndpointRow
from shared.notifications.webhook_send import Answer, post
from shared.observability import logger

SECRET_PURPOSE = "webhook-secret"  # noqa: S105 - a key purpose, not a secret
MAX_ENDPOINTS = 20
PARALLEL_SENDS = 8
EVENT_TYPES: tuple[str, ...] = WebhookEventType.__args__  # type: ignore[attr-defined]

Sender = Callable[[Any, bytes, dict[str, str]], Answer]


@dataclass(frozen=True, slots=True)
class WebhookDeps:
    transaction: Callable[[], Any]
    key: Callable[[], AppKey]
    settings: NotificationsSettings
    resolve: Resolver = system_resolver
    send: Sender = post
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def _seal(key: AppKey, endpoint_id: uuid.UUID, secret: str) -> bytes:
    return key.seal(SECRET_PURPOSE, secret.encode(), endpoint_id.bytes)


def _open(key: AppKey, endpoint_id: uuid.UUID, sealed: bytes) -> str:
    return key.open(SECRET_PURPOSE, bytes(sealed), endpoint_id.bytes).decode()


def _checked(url: str, deps: WebhookDeps) -> str:
    try:
        check_url(
            url,
            allow_http=deps.settings.webhook_allow_http,
            allow_loopback=deps.settings.webhook_allow_loopback,
            resolve=deps.resolve,
        )
    except UnsafeUrl as exc:
        raise UnprocessableError(f"url: {exc}") from exc
    return url


def _out(row: EndpointRow) -> EndpointOut:
    return EndpointOut(
        id=row.id,
        url=row.url,
        event_types=row.event_types,
        status=row.status,
        disabled_reason=row.disabled_reason,
        failing_since=row.failing_since,
        previous_secret_until=row.previous_until,
        created_at=row.created_at,
    )


# ---- endpoints (HR) ----------------------------------------------------------------------
def create_endpoint(
    conn: Conn, company_id: uuid.UUID, user_id: uuid.UUID, body: EndpointCreate, deps: WebhookDeps
) -> EndpointWithSecret:
    url = _checked(body.url, deps)
    if webhook_dal.count_endpoints(conn, company_id) >= MAX_ENDPOINTS:
        raise ConflictError(f"A company has at most {MAX_ENDPOINTS} webhook endpoints.")
    endpoint_id, secret = uuid.uuid4(), new_secret()
    row = webhook_dal.insert_endpoint(
        conn,
        endpoint_id=endpoint_id,
        company_id=company_id,
        created_by=user_id,
        url=url,
        event_types=sorted(set(body.event_types)),
        secret_sealed=_seal(deps.key(), endpoint_id, secret),
    )
    return EndpointWithSecret(**_out(row).model_dump(), secret=secret)


def list_endpoints(conn: Conn, company_id: uuid.UUID) -> EndpointList:
    return EndpointList(items=[_out(r) for r in webhook_dal.endpoints_of(conn, company_id)])


def update_endpoint(
    conn: Conn,
    company_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    body: EndpointUpdate,
    deps: WebhookDeps,
) -> EndpointOut:
    row = webhook_dal.endpoint(conn, endpoint_id, company_id, lock=True)
    url = _checked(body.url, deps) if body.url is not None else row.url
    types = sorted(set(body.event_types)) if body.event_types is not None else row.event_types
    conn.execute(
        "UPDATE notifications.webhook_endpoints SET url = %s, event_types = %s,"
        " updated_at = now() WHERE id = %s",
        (url, types, row.id),
    )
    if body.enabled is not None:
        webhook_dal.set_status(
            conn,
            row.id,
            "active" if body.enabled else "disabled",
            None if body.enabled else "disabled by HR",
        )
    return _out(webhook_dal.endpoint(conn, row.id, company_id))


def delete_endpoint(conn: Conn, company_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    webhook_dal.delete_endpoint(conn, webhook_dal.endpoint(conn, endpoint_id, company_id).id)


def rotate_secret(
    conn: Conn, company_id: uuid.UUID, endpoint_id: uuid.UUID, deps: WebhookDeps
) -> EndpointWithSecret:
    """A new secret; the previous one keeps signing (both signatures sent) for the overlap."""
    row = webhook_dal.endpoint(conn, endpoint_id, company_id, lock=True)
    secret = new_secret()
    until = deps.now() + timedelta(seconds=deps.settings.webhook_secret_overlap_s)
    webhook_dal.rotate_secret(
        conn, row.id, _seal(deps.key(), row.id, secret), bytes(row.secret_sealed), until
    )
    rotated = webhook_dal.endpoint(conn, row.id, company_id)
    return EndpointWithSecret(**_out(rotated).model_dump(), secret=secret)


def _delivery_out(row: DeliveryRow, attempts: list[AttemptOut]) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=row.status,
        attempts=attempts,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        created_at=row.created_at,
    )


def list_deliveries(
    conn: Conn, company_id: uuid.UUID, endpoint_id: uuid.UUID, limit: int
) -> DeliveryList:
    webhook_dal.endpoint(conn, endpoint_id, company_id)
    rows = webhook_dal.deliveries_of(conn, endpoint_id, limit)
    attempts = webhook_dal.attempts_of(conn, [r.id for r in rows])
    by_delivery: dict[uuid.UUID, list[AttemptOut]] = {}
    for a in attempts:
        by_delivery.setdefault(a.delivery_id, []).append(AttemptOut.model_validate(a.model_dump()))
    return DeliveryList(items=[_delivery_out(r, by_delivery.get(r.id, [])) for r in rows])


def ping(conn: Conn, company_id: uuid.UUID, endpoint_id: uuid.UUID, deps: WebhookDeps) -> uuid.UUID:
    """A ``webhook.ping`` delivery to this endpoint (sent by the caller after commit)."""
    row = webhook_dal.endpoint(conn, endpoint_id, company_id)
    event_id = uuid.uuid4()
    body = {"type": PING, "timestamp": deps.now().isoformat(), "version": 1, "data": {}}
    made = webhook_dal.queue_delivery(
        conn,
        endpoint_id=row.id,
        company_id=company_id,
        event_id=event_id,
        event_type=PING,
        body=body,
    )
    assert made is not None
    return made


def redeliver(
    conn: Conn, company_id: uuid.UUID, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> uuid.UUID:
    row = webhook_dal.endpoint(conn, endpoint_id, company_id)
    if row.status != "active":
        raise ConflictError("The endpoint is disabled: enable it first.")
    return webhook_dal.redeliver(conn, delivery_id, row.id).id


def delivery_view(conn: Conn, company_id: uuid.UUID, delivery_id: uuid.UUID) -> DeliveryOut:
    row = webhook_dal.delivery(conn, delivery_id)
    webhook_dal.endpoint(conn, row.endpoint_id, company_id)
    attempts = [
        AttemptOut.model_validate(a.model_dump()) for a in webhook_dal.attempts_of(conn, [row.id])
    ]
    return _delivery_out(row, attempts)


# ---- deliveries (the consumer and the sweep) -----------------------------------------------
def body_of(envelope: EventEnvelope) -> dict[str, Any]:
    detail = envelope.to_detail()
    return {
        "type": envelope.event_type,
        "timestamp": detail["occurredAt"],
        "version": envelope.version,
        "data": detail["payload"],
    }


def queue_for_event(conn: Conn, envelope: EventEnvelope) -> list[uuid.UUID]:
    """One delivery per subscribed active endpoint of the event's company (none twice)."""
    if envelope.tenant_id is None or envelope.event_type not in EVENT_TYPES:
        return []
    made = []
    for endpoint in webhook_dal.subscribed(conn, envelope.tenant_id, envelope.event_type):
        delivery_id = webhook_dal.queue_delivery(
            conn,
            endpoint_id=endpoint.id,
            company_id=endpoint.company_id,
            event_id=envelope.event_id,
            event_type=envelope.event_type,
            body=body_of(envelope),
        )
        if delivery_id is not None:
            made.append(delivery_id)
    return made


def signature_headers(
    delivery_id: uuid.UUID, at: datetime, body: str, secrets: Sequence[str]
) -> dict[str, str]:
    from standardwebhooks import Webhook  # noqa: PLC0415 - only where deliveries are signed

    return {
        "webhook-id": str(delivery_id),
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(Webhook(s).sign(str(delivery_id), at, body) for s in secrets),
    }


def _secrets(endpoint: EndpointRow, key: AppKey, now: datetime) -> list[str]:
    secrets = [_open(key, endpoint.id, endpoint.secret_sealed)]
    if endpoint.previous_sealed and endpoint.previous_until and endpoint.previous_until > now:
        secrets.append(_open(key, endpoint.id, endpoint.previous_sealed))
    return secrets


def _attempt(delivery: DeliveryRow, deps: WebhookDeps) -> str:
    import json  # noqa: PLC0415

    with deps.transaction() as conn:
        endpoint = webhook_dal.endpoint(conn, delivery.endpoint_id, None)
    if endpoint.status != "active":
        with deps.transaction() as conn:
            webhook_dal.finish_delivery(conn, delivery.id, "cancelled")
        return "cancelled"
    now = deps.now()
    body = json.dumps(delivery.body, separators=(",", ":"), sort_keys=True)
    try:
        target = check_url(
            endpoint.url,
            allow_http=deps.settings.webhook_allow_http,
            allow_loopback=deps.settings.webhook_allow_loopback,
            resolve=deps.resolve,
        )
    except UnsafeUrl as exc:
        answer = Answer(None, 0, None, f"refused: {exc}"[:300])
    else:
        headers = signature_headers(delivery.id, now, body, _secrets(endpoint, deps.key(), now))
        answer = deps.send(target, body.encode(), headers)
    return _record(delivery, endpoint, answer, deps)


def _record(delivery: DeliveryRow, endpoint: EndpointRow, answer: Answer, deps: WebhookDeps) -> str:
    schedule = deps.settings.webhook_retries_s
    with deps.transaction() as conn:
        webhook_dal.record_attempt(
            conn,
            delivery.id,
            status_code=answer.status_code,
            latency_ms=answer.latency_ms,
            excerpt=answer.excerpt,
            error=answer.error,
        )
        failing_since = webhook_dal.record_outcome(conn, endpoint.id, answer.succeeded)
        if answer.succeeded:
            webhook_dal.finish_delivery(conn, delivery.id, "succeeded")
            return "succeeded"
        if answer.status_code == 410:
            webhook_dal.finish_delivery(conn, delivery.id, "failed")
            _disable(conn, endpoint, "the receiver answered 410 Gone", deps)
            return "failed"
        if failing_since and deps.now() - failing_since > timedelta(
            seconds=deps.settings.webhook_disable_after_s
        ):
            webhook_dal.finish_delivery(conn, delivery.id, "failed")
            _disable(conn, endpoint, "failing for too long without a success", deps)
            return "failed"
        if delivery.attempts > len(schedule):
            webhook_dal.finish_delivery(conn, delivery.id, "failed")
            return "failed"
        retry_at = deps.now() + timedelta(seconds=schedule[delivery.attempts - 1])
        webhook_dal.finish_delivery(conn, delivery.id, "pending", retry_at)
        return "retried"


def _disable(conn: Conn, endpoint: EndpointRow, reason: str, deps: WebhookDeps) -> None:
    from shared.identity import public as identity  # noqa: PLC0415

    webhook_dal.set_status(conn, endpoint.id, "disabled", reason)
    owner = identity.user_contact(conn, endpoint.created_by)
    if owner is not None and owner.active:
        dal.queue_message(
            conn,
            dedupe_key=f"webhook-disabled:{endpoint.id}:{deps.now().isoformat()}",
            kind="webhook_disabled",
            version=1,
            recipient=owner.email,
            company_id=endpoint.company_id,
            invitation_id=None,
            event_id=None,
            params={
                "hr_name": owner.first_name or "there",
                "url": endpoint.url,
                "reason": reason,
                "company": identity.company_name(conn, endpoint.company_id) or "Your company",
            },
        )
    logger.warning(
        "webhook endpoint disabled", extra={"endpoint_id": str(endpoint.id), "reason": reason}
    )


def dispatch(ids: Sequence[uuid.UUID] | None, deps: WebhookDeps) -> dict[str, int]:
    """Send these deliveries (or, for the sweep, up to a batch of due ones), at most
    PARALLEL_SENDS at a time.

    Given ids are claimed a batch at a time, every batch: a consumer's batch of events may
    queue more deliveries than one claim takes (10 events to 20 endpoints each are 200), and
    what one claim left behind waited for the sweep, a minute later. Each batch is claimed
    just before it is sent, so its lease does not run while earlier batches are sent.
    """
    if ids is not None and not ids:
        return {}
    size = deps.settings.batch_size
    batches = [None] if ids is None else [ids[i : i + size] for i in range(0, len(ids), size)]
    counts: dict[str, int] = {}

    def one(delivery: DeliveryRow) -> str:
        try:
            return _attempt(delivery, deps)
        except Exception:  # the lease runs out and the sweep tries it again
            logger.exception("webhook delivery failed", extra={"delivery_id": str(delivery.id)})
            return "error"

    with ThreadPoolExecutor(max_workers=PARALLEL_SENDS) as pool:
        for batch in batches:
            with deps.transaction() as conn:
                claimed = webhook_dal.claim(conn, batch, deps.settings.lease_s, size)
            for outcome in pool.map(one, claimed):
                counts[outcome] = counts.get(outcome, 0) + 1
    return counts
