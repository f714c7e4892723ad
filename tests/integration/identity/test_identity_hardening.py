"""Identity hardening against real PostgreSQL with real concurrency: the raced login limit,
growing delays and the soft lock, the sign-up limit and its password-free idempotency record,
external identities linked explicitly, the access-token deny list, the refresh family's
absolute lifetime and the company deactivation rule."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import psycopg
import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives import serialization

from shared.auth.errors import AuthenticationError, RateLimitedError
from shared.auth.keys import KeyRing, SigningKey, new_stored_key
from shared.auth.settings import AuthSettings
from shared.auth.tokens import TokenVerifier
from shared.dal import idempotency
from shared.dal.db import conninfo_for
from shared.errors import ConflictError, PermissionDeniedError
from shared.identity import accounts, companies, dal, external
from shared.identity.caller import CompanyDeactivatedError, ensure_company_may_change, load_caller
from shared.identity.models import CompanyCreate, RegisterFingerprint, RegisterRequest
from shared.settings import DatabaseSettings
from tests.integration.identity.conftest import FAST_HASHER
from tests.integration.identity.test_identity_data import RING, _company, _user

Conn = psycopg.Connection[Any]
PASSWORD = "correct horse 42 battery"
OUR_ISSUER = AuthSettings().issuer


class CountingHasher(PasswordHasher):
    """A real argon2id hasher that counts verifications (what the limit must bound)."""

    def __init__(self) -> None:
        # Costly enough that parallel attempts overlap for real (~50-100 ms each).
        super().__init__(time_cost=2, memory_cost=32 * 1024, parallelism=1)
        self.verified = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.verified += 1
        return super().verify(hash, password)


def _attempt_like_the_handler(
    conninfo: str, email: str, password: str, source: str, hasher: PasswordHasher
) -> str:
    """What POST /v1/auth/login does, on a connection of its own: admit (committed), verify."""
    with psycopg.connect(conninfo) as conn:
        try:
            with conn.transaction():
                attempt = accounts.admit_login(conn, email, source, AuthSettings())
        except RateLimitedError:
            return "429"
        with conn.transaction():
            pair = accounts.complete_login(
                conn,
                attempt,
                password,
                ring_source=lambda: RING,
                settings=AuthSettings(),
                hasher=hasher,
            )
    return "200" if pair else "401"


def test_fifty_parallel_wrong_passwords_admit_at_most_five(
    conn: Conn, database_settings: DatabaseSettings
) -> None:
    # Given an account and 50 wrong-password attempts started together, each on its own
    # connection (as 50 Lambda instances would be)
    user = _user(conn, "candidate")
    hasher = CountingHasher()
    conninfo = conninfo_for(database_settings)
    start = threading.Barrier(50)

    def attempt(_: int) -> str:
        start.wait()
        return _attempt_like_the_handler(
            conninfo, user.user.email, "wrong password 99", "203.0.113.7", hasher
        )

    # When they run in parallel
    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))

    # Then at most the account's limit (5) reached argon2; the rest were 429 before it
    assert hasher.verified <= 5
    assert outcomes.count("401") == hasher.verified
    assert outcomes.count("429") == 50 - hasher.verified


def test_failures_from_one_source_grow_a_delay_that_another_known_source_does_not_share(
    conn: Conn,
) -> None:
    # Given an owner who signed in from home, and an attacker's source failing five times
    settings = AuthSettings(login_max_failures_per_account=5, login_pair_base_delay_s=30)
    user = _user(conn, "candidate")
    email = user.user.email
    with conn.transaction():
        assert accounts.login(
            conn,
            email,
            PASSWORD,
            source="198.51.100.1",
            ring_source=lambda: RING,
            settings=settings,
            hasher=FAST_HASHER,
        )
    for _ in range(5):
        with conn.transaction():
            assert (
                accounts.login(
                    conn,
                    email,
                    "wrong password 1",
                    source="203.0.113.9",
                    ring_source=lambda: RING,
                    settings=settings,
                    hasher=FAST_HASHER,
                )
                is None
            )

    # When the attacker tries again / Then the pair's delay (30 s after the fifth) refuses it
    with pytest.raises(RateLimitedError) as delayed, conn.transaction():
        accounts.admit_login(conn, email, "203.0.113.9", settings)
    assert 1 <= delayed.value.retry_after_s <= 31
    # and a new source meets the account's soft lock
    with pytest.raises(RateLimitedError), conn.transaction():
        accounts.admit_login(conn, email, "192.0.2.55", settings)
    # while the owner's known source signs in, which clears the lock for everyone else
    with conn.transaction():
        assert accounts.login(
            conn,
            email,
            PASSWORD,
            source="198.51.100.1",
            ring_source=lambda: RING,
            settings=settings,
            hasher=FAST_HASHER,
        )
    with conn.transaction():
        accounts.admit_login(conn, email, "192.0.2.55", settings)


def test_the_pair_delay_doubles_with_each_failure_up_to_its_cap() -> None:
    settings = AuthSettings(
        login_pair_free_failures=5, login_pair_base_delay_s=30, login_pair_max_delay_s=900
    )
    delays = [accounts._pair_delay_s(n, settings) for n in range(4, 12)]
    assert delays == [0, 30, 60, 120, 240, 480, 900, 900]


def test_sign_ups_are_limited_per_source(conn: Conn) -> None:
    settings = AuthSettings(register_max_per_source=3, register_window_s=3600)
    source = f"198.51.100.{uuid.uuid4().int % 250}"
    for _ in range(3):
        with conn.transaction():
            accounts.admit_registration(conn, source, settings)

    with pytest.raises(RateLimitedError) as limited, conn.transaction():
        accounts.admit_registration(conn, source, settings)
    assert 1 <= limited.value.retry_after_s <= 3601
    with conn.transaction():
        accounts.admit_registration(conn, "198.51.100.251", settings)  # another source


def test_the_sign_up_idempotency_record_holds_no_password_and_no_oracle(conn: Conn) -> None:
    # Given a sign-up with an Idempotency-Key, stored as the register handler stores it
    email = f"idem-{uuid.uuid4().hex[:8]}@example.com"
    key = str(uuid.uuid4())

    def sign_up(password: str) -> idempotency.Replay:
        body = RegisterRequest(email=email, password=password)
        with conn.transaction():
            return idempotency.idempotent(
                conn,
                "register",
                key,
                body=RegisterFingerprint(email=body.email),
                status_code=202,
                run=lambda: accounts.register_account(
                    conn, email, password, correlation_id="t", hasher=FAST_HASHER
                ),
            )

    first = sign_up(PASSWORD)
    # When the same key comes with another password / Then it is the same replay, not a 409
    assert sign_up("another pass 77 xy") == first
    # and the stored hash is not a hash of anything holding the password
    (stored,) = conn.execute(
        "SELECT request_hash FROM identity.idempotency_keys WHERE scope = 'register' AND key = %s",
        (key,),
    ).fetchone()
    with_password = hashlib.sha256(
        json.dumps({"email": email, "password": PASSWORD}, sort_keys=True).encode()
    ).digest()
    assert bytes(stored) != with_password
    assert bytes(stored) == hashlib.sha256(json.dumps({"email": email}).encode()).digest()


def test_a_foreign_issuers_token_with_our_admins_id_is_not_our_admin(conn: Conn) -> None:
    # Given our admin, and another issuer's token whose sub is exactly the admin's id
    admin = _user(conn, "admin")
    foreign = "https://idp.example.org"

    # When it is mapped to a caller / Then nobody is found (no link exists)
    with pytest.raises(AuthenticationError):
        load_caller(conn, str(admin.id), "t", issuer=foreign, our_issuer=OUR_ISSUER)
    # while our own token with that sub is the admin
    assert load_caller(conn, str(admin.id), "t", issuer=OUR_ISSUER, our_issuer=OUR_ISSUER).role == (
        "admin"
    )
    # and once someone links that external identity, it is them, never the admin
    someone = _user(conn, "candidate")
    with conn.transaction():
        dal.link_external_identity(conn, foreign, str(admin.id), someone.id)
    linked = load_caller(conn, str(admin.id), "t", issuer=foreign, our_issuer=OUR_ISSUER)
    assert linked.id == someone.id
    assert linked.role == "candidate"
    # a link is never moved to another user
    with conn.transaction():
        assert dal.link_external_identity(conn, foreign, str(admin.id), admin.id) == someone.id


def test_a_logged_out_access_token_is_refused_until_it_expires(conn: Conn) -> None:
    user = _user(conn, "candidate")
    jti = uuid.uuid4().hex
    caller = load_caller(
        conn,
        str(user.id),
        "t",
        token_id=jti,
        token_expires_at=datetime.now(UTC) + timedelta(minutes=15),
    )
    with conn.transaction():
        accounts.logout(conn, caller, "x" * 43)

    with pytest.raises(AuthenticationError):
        load_caller(conn, str(user.id), "t", token_id=jti)
    assert load_caller(conn, str(user.id), "t", token_id=uuid.uuid4().hex).id == user.id


def test_a_refresh_family_ends_at_its_absolute_lifetime(conn: Conn) -> None:
    # Given a session whose family started 31 days ago (rotated ever since)
    settings = AuthSettings(refresh_family_max_age_s=30 * 24 * 3600)
    user = _user(conn, "candidate")
    with conn.transaction():
        pair = accounts.login(
            conn,
            user.user.email,
            PASSWORD,
            source="1.2.3.4",
            ring_source=lambda: RING,
            settings=settings,
            hasher=FAST_HASHER,
        )
    assert pair is not None
    assert pair.refresh_expires_in <= 30 * 24 * 3600
    with conn.transaction():
        fresh = accounts.refresh(conn, pair.refresh_token, lambda: RING, settings).pair
    assert fresh is not None
    conn.execute(
        "UPDATE identity.refresh_tokens SET family_started_at = now() - interval '31 days'"
        " WHERE user_id = %s",
        (user.id,),
    )

    # When its newest token is presented / Then the family is over
    with conn.transaction():
        assert accounts.refresh(conn, fresh.refresh_token, lambda: RING, settings).pair is None


def test_a_deactivated_companys_hr_may_read_but_not_change_until_reactivated(conn: Conn) -> None:
    owner = _user(conn)
    company = _company(conn, owner, "Paused Ltd")
    admin = _user(conn, "admin")
    with conn.transaction():
        companies.deactivate_company(conn, load_caller(conn, str(owner.id), "t"), company)

    hr = load_caller(conn, str(owner.id), "t")
    assert hr.company_deactivated
    with pytest.raises(CompanyDeactivatedError) as refused:
        ensure_company_may_change(hr)
    assert refused.value.status == 403
    assert refused.value.type_slug == "company-deactivated"
    # the owner cannot reactivate it; an admin can
    with pytest.raises(PermissionDeniedError), conn.transaction():
        companies.reactivate_company(conn, hr, company)
    with conn.transaction():
        assert companies.reactivate_company(conn, admin, company).active
    ensure_company_may_change(load_caller(conn, str(owner.id), "t"))
    with pytest.raises(ConflictError), conn.transaction():
        companies.create_company(
            conn, load_caller(conn, str(owner.id), "t"), CompanyCreate(name="x")
        )


# ---- linking another issuer's identity, verified through its JWKS (a real HTTP server) -----
@pytest.fixture
def idp() -> Iterator[tuple[str, str, SigningKey]]:
    from http.server import BaseHTTPRequestHandler, HTTPServer

    stored = new_stored_key(2048)
    key = SigningKey(
        stored.kid,
        serialization.load_pem_private_key(stored.private_pem.encode(), password=None),  # type: ignore[arg-type]
    )
    body = json.dumps(KeyRing((key,)).jwks()).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "https://idp.test/realm", f"http://127.0.0.1:{server.server_port}/jwks", key
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _idp_token(key: SigningKey, issuer: str, subject: str) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": issuer,
        "aud": AuthSettings().audience,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
    }
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def test_a_signed_in_user_links_an_identity_and_only_then_it_is_them(
    conn: Conn, idp: tuple[str, str, SigningKey]
) -> None:
    issuer, jwks_url, key = idp
    ours = TokenVerifier(
        _StaticRing(),
        issuer=OUR_ISSUER,
        audience=AuthSettings().audience,
        extra_issuers={issuer: jwks_url},
    )
    admin, user = _user(conn, "admin"), _user(conn, "hr")
    # Given an IdP token whose sub is our admin's id, verified for real against its JWKS
    token = _idp_token(key, issuer, str(admin.id))
    claims = ours.verify(token)
    assert claims.issuer == issuer
    with pytest.raises(AuthenticationError):
        load_caller(conn, claims.subject, "t", issuer=claims.issuer, our_issuer=OUR_ISSUER)

    # When the HR user, signed in with our token, links it
    signed_in = load_caller(conn, str(user.id), "t", issuer=OUR_ISSUER, our_issuer=OUR_ISSUER)
    with conn.transaction():
        out = external.link_identity(conn, signed_in, token, verifier=ours, our_issuer=OUR_ISSUER)

    # Then that token is the HR user (never the admin), and nobody else can take the link
    assert (out.issuer, out.subject) == (issuer, str(admin.id))
    via_idp = load_caller(conn, claims.subject, "t", issuer=issuer, our_issuer=OUR_ISSUER)
    assert via_idp.id == user.id
    other = load_caller(conn, str(admin.id), "t", issuer=OUR_ISSUER, our_issuer=OUR_ISSUER)
    with pytest.raises(ConflictError), conn.transaction():
        external.link_identity(conn, other, token, verifier=ours, our_issuer=OUR_ISSUER)
    # a session of the IdP itself cannot link further identities
    with pytest.raises(PermissionDeniedError), conn.transaction():
        external.link_identity(conn, via_idp, token, verifier=ours, our_issuer=OUR_ISSUER)


class _StaticRing:
    def ring(self, *, refresh: bool = False) -> KeyRing:
        return RING
