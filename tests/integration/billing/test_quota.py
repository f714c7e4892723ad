"""The quota check at the point of use against a real PostgreSQL: the limit, the 402's content,
the no-billing mode's plan, gauges given back, and the last unit taken once under a race."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from psycopg_pool import ConnectionPool

from shared.billing import dal
from shared.billing.errors import QuotaExceeded
from shared.billing.quota import (
    QuotaDeps,
    release,
    release_invitation_storage,
    release_upload_storage,
    reserve,
    reserve_storage,
    settle_storage,
)
from shared.billing.settings import BillingSettings
from tests.integration.billing.conftest import Clock, make_company


def test_free_plan_allows_its_limit_then_refuses_naming_limit_usage_and_upgrade(
    pool: ConnectionPool, quota_on: QuotaDeps
) -> None:
    # Given a company on Free (no subscription: 10 interviews a month)
    company, _, _ = make_company(pool)
    with pool.connection() as conn:
        for _ in range(10):
            reserve(conn, company, "interviews_per_month", quota_on)

        # When it asks for the 11th
        with pytest.raises(QuotaExceeded) as refused:
            reserve(conn, company, "interviews_per_month", quota_on)

    # Then the problem names the limit, the usage and the way up
    ext = refused.value.extensions()
    assert refused.value.status == 402
    assert ext["limit"] == {"name": "interviews_per_month", "allowed": 10, "plan": "free"}
    assert ext["usage"] == {"used": 10, "requested": 1}
    assert ext["upgrade"]["plans"] == ["plus", "pro"]  # type: ignore[index]
    assert ext["upgrade"]["checkout"] == "/v1/billing/checkout"  # type: ignore[index]


def test_a_refused_request_takes_nothing(pool: ConnectionPool, quota_on: QuotaDeps) -> None:
    company, _, _ = make_company(pool)
    with pool.connection() as conn:
        reserve(conn, company, "storage_bytes", quota_on, amount=1024**3 - 10)
        with pytest.raises(QuotaExceeded):
            reserve(conn, company, "storage_bytes", quota_on, amount=11)
        assert dal.used(conn, company, "storage_bytes", "") == 1024**3 - 10
        # What still fits is taken.
        reserve(conn, company, "storage_bytes", quota_on, amount=10)


def test_no_billing_mode_puts_every_company_on_the_configured_plan(
    pool: ConnectionPool, clock: Clock
) -> None:
    company, _, _ = make_company(pool)
    off = QuotaDeps(BillingSettings(no_billing_plan="plus"), lambda: False, clock)
    with pool.connection() as conn:
        for _ in range(5):  # Plus: 5 seats, Free would refuse the second
            reserve(conn, company, "hr_seats", off)
        with pytest.raises(QuotaExceeded) as refused:
            reserve(conn, company, "hr_seats", off)
    assert refused.value.extensions()["upgrade"] == {
        "plans": ["pro"],  # Pro has more seats, but there is no checkout without billing
        "billing_enabled": False,
        "checkout": None,
        "url": "http://localhost:5173/hr/billing",
    }


def test_a_gauge_given_back_makes_room_again(pool: ConnectionPool, quota_on: QuotaDeps) -> None:
    company, _, _ = make_company(pool)
    with pool.connection() as conn:
        reserve(conn, company, "active_templates", quota_on)
        reserve(conn, company, "active_templates", quota_on)
        with pytest.raises(QuotaExceeded):
            reserve(conn, company, "active_templates", quota_on)
        release(conn, company, "active_templates", quota_on)
        assert reserve(conn, company, "active_templates", quota_on) == 2


def test_monthly_counter_starts_again_next_month(
    pool: ConnectionPool, quota_on: QuotaDeps, clock: Clock
) -> None:
    company, _, _ = make_company(pool)
    with pool.connection() as conn:
        for _ in range(10):
            reserve(conn, company, "interviews_per_month", quota_on)
        clock.at = clock.at.replace(day=1).replace(month=clock.at.month % 12 + 1)
        if clock.at.month == 1:
            clock.at = clock.at.replace(year=clock.at.year + 1)
        assert reserve(conn, company, "interviews_per_month", quota_on) == 1


def test_parallel_requests_never_both_take_the_last_unit(
    pool: ConnectionPool, quota_on: QuotaDeps
) -> None:
    # Given a company with one interview left this month
    company, _, _ = make_company(pool)
    with pool.connection() as conn:
        for _ in range(9):
            reserve(conn, company, "interviews_per_month", quota_on)
    start = threading.Barrier(16)

    def attempt(_: int) -> bool:
        # Each request in its own transaction, all released at once.
        with pool.connection() as conn, conn.transaction():
            start.wait(timeout=10)
            try:
                reserve(conn, company, "interviews_per_month", quota_on)
            except QuotaExceeded:
                return False
            return True

    # When 16 requests race for it
    with ThreadPoolExecutor(max_workers=16) as workers:
        outcomes = list(workers.map(attempt, range(16)))

    # Then exactly one took it, and the counter says 10
    assert outcomes.count(True) == 1
    with pool.connection() as conn:
        period = conn.execute("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')").fetchone()
        assert period is not None
        assert dal.used(conn, company, "interviews_per_month", period[0]) == 10


def test_erasing_an_invitations_media_gives_its_storage_back_once(
    pool: ConnectionPool, quota_on: QuotaDeps
) -> None:
    # Given a Free company (1 GiB) whose two invitations hold nearly all of it
    company, _, _ = make_company(pool)
    erased, kept = uuid.uuid4(), uuid.uuid4()
    with pool.connection() as conn:
        reserve_storage(conn, company, erased, uuid.uuid4(), 400 * 1024**2, quota_on)
        reserve_storage(conn, company, erased, uuid.uuid4(), 500 * 1024**2, quota_on)
        reserve_storage(conn, company, kept, uuid.uuid4(), 100 * 1024**2, quota_on)
        with pytest.raises(QuotaExceeded):
            reserve_storage(conn, company, kept, uuid.uuid4(), 100 * 1024**2, quota_on)

        # When the first invitation's media is erased (twice: erasure is idempotent)
        freed = release_invitation_storage(conn, company, erased, quota_on)
        again = release_invitation_storage(conn, company, erased, quota_on)

        # Then its bytes are given back once, the other invitation's stay held
        assert (freed, again) == (900 * 1024**2, 0)
        assert dal.used(conn, company, "storage_bytes", "") == 100 * 1024**2
        # and the upload that did not fit now does
        reserve_storage(conn, company, kept, uuid.uuid4(), 100 * 1024**2, quota_on)
        assert release_invitation_storage(conn, company, kept, quota_on) == 200 * 1024**2
        assert dal.used(conn, company, "storage_bytes", "") == 0


def test_an_answer_settles_its_hold_to_the_stored_size_and_an_abort_gives_it_back(
    pool: ConnectionPool, quota_on: QuotaDeps
) -> None:
    # Given a Free company (1 GiB) with two upload URLs handed out at their declared sizes
    company, _, _ = make_company(pool)
    invitation, answered, aborted = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with pool.connection() as conn:
        reserve_storage(conn, company, invitation, answered, 100, quota_on)
        reserve_storage(conn, company, invitation, aborted, 1000, quota_on)

        # When the first is stored larger than declared (S3 caps at the kind's limit), twice
        changes = [settle_storage(conn, answered, 5000, quota_on) for _ in range(2)]
        # Then the plan counts what is stored, once
        assert changes == [4900, 0]
        assert dal.used(conn, company, "storage_bytes", "") == 6000
        # and a smaller object gives the difference back
        assert settle_storage(conn, answered, 4000, quota_on) == -1000
        assert dal.used(conn, company, "storage_bytes", "") == 5000

        # When the second is aborted (again: once)
        assert release_upload_storage(conn, aborted, quota_on) == 1000
        assert release_upload_storage(conn, aborted, quota_on) == 0
        # Then only the answer's stored bytes are held, and erasure gives those back
        assert dal.used(conn, company, "storage_bytes", "") == 4000
        assert release_invitation_storage(conn, company, invitation, quota_on) == 4000
        # (an upload without a hold, from before the ledger, settles to nothing)
        assert settle_storage(conn, uuid.uuid4(), 10, quota_on) == 0
