"""Identity's data access and use cases against real PostgreSQL: tenancy, tokens, idempotency."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from shared.auth.errors import RateLimitedError
from shared.auth.keys import KeyRing, SigningKey, new_stored_key
from shared.auth.settings import AuthSettings
from shared.dal import idempotency
from shared.errors import ConflictError, NotFoundError, PermissionDeniedError, UnprocessableError
from shared.identity import accounts, admin_users, companies, dal
from shared.identity.caller import Caller, load_caller
from shared.identity.models import CompanyCreate, MemberAdd
from tests.integration.identity.conftest import FAST_HASHER

Conn = psycopg.Connection[Any]
SETTINGS = AuthSettings(login_max_failures_per_account=3, login_max_failures_per_source=50)


def _ring() -> KeyRing:
    from cryptography.hazmat.primitives import serialization

    stored = new_stored_key(2048)
    key = serialization.load_pem_private_key(stored.private_pem.encode(), password=None)
    return KeyRing((SigningKey(stored.kid, key),))  # type: ignore[arg-type]


RING = _ring()


def _user(conn: Conn, role: str = "hr", email: str | None = None) -> Caller:
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    with conn.transaction():
        out = accounts.register(
            conn, email, "correct horse 42 battery", correlation_id="t", hasher=FAST_HASHER
        )
        dal.set_role(conn, out.id, role)  # type: ignore[arg-type]
    return load_caller(conn, str(out.id), "t")


def _company(conn: Conn, owner: Caller, name: str) -> uuid.UUID:
    with conn.transaction():
        return companies.create_company(conn, owner, CompanyCreate(name=name)).id


def _outbox_types(conn: Conn) -> list[str]:
    rows = conn.execute("SELECT event_type FROM platform.outbox ORDER BY created_at").fetchall()
    return [str(r[0]) for r in rows]


def test_another_companys_company_and_members_answer_not_found(conn: Conn) -> None:
    # Given two HR users, each the owner of their own company
    hr_a, hr_b = _user(conn), _user(conn)
    company_a = _company(conn, hr_a, "A Corp")
    company_b = _company(conn, hr_b, "B Corp")
    hr_a = load_caller(conn, str(hr_a.id), "t")

    # When A reads B's company and members / Then it is as if they did not exist
    with pytest.raises(NotFoundError):
        dal.get_company(conn, company_b, hr_a.scope())
    assert dal.list_members(conn, company_b, hr_a.scope()) == []
    with pytest.raises(NotFoundError):
        dal.get_member(conn, company_b, hr_b.id, hr_a.scope())
    with pytest.raises(NotFoundError), conn.transaction():
        companies.remove_member(conn, hr_a, company_b, hr_b.id)
    # while their own company and an admin's view are found
    assert dal.get_company(conn, company_a, hr_a.scope()).name == "A Corp"
    admin = _user(conn, "admin")
    assert dal.get_company(conn, company_b, admin.scope()).name == "B Corp"


def test_owner_adds_and_removes_members_but_cannot_be_removed(conn: Conn) -> None:
    owner = _user(conn)
    company = _company(conn, owner, "Acme")
    owner = load_caller(conn, str(owner.id), "t")
    colleague = _user(conn)

    with conn.transaction():
        added = companies.add_member(conn, owner, company, MemberAdd(user_id=colleague.id).user_id)
    assert added.member_role == "member"
    colleague = load_caller(conn, str(colleague.id), "t")
    with pytest.raises(PermissionDeniedError), conn.transaction():
        companies.remove_member(conn, colleague, company, owner.id)
    with pytest.raises(ConflictError), conn.transaction():
        companies.remove_member(conn, owner, company, owner.id)
    with conn.transaction():
        companies.remove_member(conn, owner, company, colleague.id)
    assert [m.user_id for m in dal.list_members(conn, company, owner.scope())] == [owner.id]
    assert _outbox_types(conn).count("company.member_added") == 2


def test_an_hr_user_belongs_to_one_company(conn: Conn) -> None:
    owner = _user(conn)
    _company(conn, owner, "First")
    owner = load_caller(conn, str(owner.id), "t")

    with pytest.raises(ConflictError), conn.transaction():
        companies.create_company(conn, owner, CompanyCreate(name="Second"))


def test_reusing_a_rotated_refresh_token_revokes_the_family(conn: Conn) -> None:
    user = _user(conn, "candidate")
    with conn.transaction():
        first = accounts.login(
            conn,
            user.user.email,
            "correct horse 42 battery",
            source="1.2.3.4",
            ring_source=lambda: RING,
            settings=SETTINGS,
            hasher=FAST_HASHER,
        )
    assert first is not None
    with conn.transaction():
        second = accounts.refresh(conn, first.refresh_token, lambda: RING, SETTINGS).pair
    assert second is not None

    with conn.transaction():
        reuse = accounts.refresh(conn, first.refresh_token, lambda: RING, SETTINGS)
    assert reuse.pair is None
    assert reuse.reuse_detected
    with conn.transaction():
        after = accounts.refresh(conn, second.refresh_token, lambda: RING, SETTINGS)
    assert after.pair is None


def test_failed_logins_are_rate_limited_per_account(conn: Conn) -> None:
    user = _user(conn, "candidate")

    def attempt(password: str) -> object:
        with conn.transaction():
            pair = accounts.login(
                conn,
                user.user.email,
                password,
                source="9.9.9.9",
                ring_source=lambda: RING,
                settings=SETTINGS,
                hasher=FAST_HASHER,
            )
            # A wrong password's attempt is already recorded: it was admitted as a failure.
            return pair

    assert [attempt("wrong password 1") for _ in range(3)] == [None, None, None]
    with pytest.raises(RateLimitedError) as limited:
        attempt("correct horse 42 battery")
    assert 1 <= limited.value.retry_after_s <= SETTINGS.login_window_s + 1


def test_admin_status_changes_are_idempotent_and_emit_once(conn: Conn) -> None:
    admin, user = _user(conn, "admin"), _user(conn, "candidate")

    for _ in range(2):
        with conn.transaction():
            admin_users.admin_set_status(conn, admin, user.id, "suspended")
    for _ in range(2):
        with conn.transaction():
            admin_users.admin_set_status(conn, admin, user.id, "deleted")

    assert _outbox_types(conn).count("user.suspended") == 1
    assert _outbox_types(conn).count("user.deleted") == 1
    with pytest.raises(ConflictError), conn.transaction():
        admin_users.admin_set_status(conn, admin, user.id, "active")


def test_list_users_pages_with_a_cursor_and_filters(conn: Conn) -> None:
    made = {_user(conn, "candidate").id for _ in range(5)}
    _user(conn, "hr")

    seen: list[uuid.UUID] = []
    cursor = None
    while True:
        page, cursor = dal.list_users(
            conn, role="candidate", status=None, email_prefix=None, limit=2, cursor=cursor
        )
        seen += [u.id for u in page]
        if cursor is None:
            break
    assert set(seen) == made
    assert len(seen) == 5


def test_idempotency_key_replays_and_conflicts(conn: Conn) -> None:
    owner = _user(conn)
    body = CompanyCreate(name="Once")

    def create(request: CompanyCreate) -> idempotency.Replay:
        with conn.transaction():
            caller = load_caller(conn, str(owner.id), "t")
            return idempotency.idempotent(
                conn,
                f"company:{owner.id}",
                "key-1",
                body=request,
                status_code=201,
                run=lambda: companies.create_company(conn, caller, request),
            )

    first, replay = create(body), create(body)

    assert replay == first
    with pytest.raises(ConflictError):
        create(CompanyCreate(name="Different"))
    assert _outbox_types(conn).count("company.created") == 1


def test_failed_logins_are_rate_limited_per_source(conn: Conn) -> None:
    # Given a source that failed twice, on two different accounts (one of them unknown)
    settings = AuthSettings(login_max_failures_per_account=50, login_max_failures_per_source=2)
    user = _user(conn, "candidate")
    source = f"10.0.0.{uuid.uuid4().int % 250}"
    for email in (user.user.email, "nobody@example.com"):
        with conn.transaction():
            accounts.record_failed_login(conn, email, source)

    # When it tries again, even with the right password / Then it is refused
    with pytest.raises(RateLimitedError), conn.transaction():
        accounts.login(
            conn,
            user.user.email,
            "correct horse 42 battery",
            source=source,
            ring_source=lambda: RING,
            settings=settings,
            hasher=FAST_HASHER,
        )
    # while another source is not
    with conn.transaction():
        pair = accounts.login(
            conn,
            user.user.email,
            "correct horse 42 battery",
            source="10.1.1.1",
            ring_source=lambda: RING,
            settings=settings,
            hasher=FAST_HASHER,
        )
    assert pair is not None


def test_a_forged_cursor_is_unprocessable(conn: Conn) -> None:
    with pytest.raises(UnprocessableError):
        dal.list_users(
            conn, role=None, status=None, email_prefix=None, limit=5, cursor="not-a-cursor"
        )


def test_register_account_creates_once_and_answers_alike(conn: Conn) -> None:
    email = f"dup-{uuid.uuid4().hex[:8]}@example.com"

    with conn.transaction():
        first = accounts.register_account(
            conn, email, "correct horse 42 battery", correlation_id="t", hasher=FAST_HASHER
        )
    with conn.transaction():
        second = accounts.register_account(
            conn, email, "another pass 77 x", correlation_id="t", hasher=FAST_HASHER
        )

    assert first == second
    rows = conn.execute("SELECT count(*) FROM identity.users WHERE email = %s", (email,)).fetchone()
    assert rows == (1,)
    registered = conn.execute(
        "SELECT count(*) FROM platform.outbox WHERE event_type = 'user.registered'"
        " AND envelope -> 'payload' ->> 'email' = %s",
        (email,),
    ).fetchone()
    assert registered == (1,)
