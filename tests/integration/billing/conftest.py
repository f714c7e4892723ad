"""Billing against a real PostgreSQL (migrated) and the fake Stripe through the real SDK."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from psycopg_pool import ConnectionPool

from fakes.stripe import FakeStripeServer
from shared.billing.config import StripeConfigSource, StripeSecret
from shared.billing.dunning import SweepDeps
from shared.billing.quota import QuotaDeps
from shared.billing.settings import BillingSettings
from shared.billing.stripe_api import SdkGateway, StripeGateway
from shared.billing.webhooks import WebhookDeps
from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.dal.sql import Conn
from shared.settings import DatabaseSettings


@pytest.fixture
def pool(database_settings: DatabaseSettings) -> Iterator[ConnectionPool]:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with ConnectionPool(conninfo, min_size=1, max_size=24, open=True, name="itest") as opened:
        yield opened


def transaction_of(pool: ConnectionPool) -> Any:
    @contextmanager
    def transaction() -> Iterator[Conn]:
        with pool.connection() as conn, conn.transaction():
            yield conn

    return transaction


def make_company(pool: ConnectionPool) -> tuple[uuid.UUID, uuid.UUID, str]:
    """(company, owner, owner's email) in identity's tables."""
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    with pool.connection() as conn:
        user = conn.execute(
            "INSERT INTO identity.users (email, password_hash, role, first_name)"
            " VALUES (%s, 'x', 'hr', 'Olga') RETURNING id",
            (email,),
        ).fetchone()
        assert user is not None
        company = conn.execute(
            "INSERT INTO identity.companies (name, owner_id) VALUES ('Acme', %s) RETURNING id",
            (user[0],),
        ).fetchone()
        assert company is not None
    return company[0], user[0], email


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripeServer]:
    with FakeStripeServer() as server:
        yield server


@pytest.fixture
def stripe_secret(fake_stripe: FakeStripeServer) -> StripeSecret:
    return StripeSecret.model_validate(fake_stripe.secret_value())


@pytest.fixture
def gateway(fake_stripe: FakeStripeServer) -> StripeGateway:
    """The real SDK, built by the platform's own config source from the fake's secret."""
    raw = json.dumps(fake_stripe.secret_value())
    client = StripeConfigSource(BillingSettings(secret_name="test"), read=lambda _: raw).client()
    assert client is not None
    return SdkGateway(client)


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> BillingSettings:
    return BillingSettings(grace_s=3600, frontend_origin="http://app.example")


@pytest.fixture
def webhook_deps(
    pool: ConnectionPool,
    settings: BillingSettings,
    stripe_secret: StripeSecret,
    gateway: StripeGateway,
    clock: Clock,
) -> WebhookDeps:
    return WebhookDeps(
        transaction=transaction_of(pool),
        settings=settings,
        secret=lambda: stripe_secret,
        gateway=lambda: gateway,
        now=clock,
    )


@pytest.fixture
def quota_on(settings: BillingSettings, clock: Clock) -> QuotaDeps:
    """Billing enabled: a company's own plan applies."""
    return QuotaDeps(settings, lambda: True, clock)


@pytest.fixture
def sweep_deps(pool: ConnectionPool, settings: BillingSettings, clock: Clock) -> SweepDeps:
    return SweepDeps(transaction=transaction_of(pool), settings=settings, now=clock)
