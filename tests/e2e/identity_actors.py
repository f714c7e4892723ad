"""Actors for identity e2e tests: real accounts made through the API (admins by the command)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx
import psycopg
import pytest

from scripts import accounts, localenv
from scripts.create_admin import create_admin
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings

PASSWORD = "correct horse 42 battery"
PROBLEM = "application/problem+json"


@dataclass
class Actor:
    name: str
    email: str = ""
    user_id: str = ""
    access_token: str = ""
    refresh_token: str = ""
    company_id: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"} if self.access_token else {}


def fresh_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def register(
    api: httpx.Client, email: str, password: str = PASSWORD, *, confirm: bool = True
) -> None:
    """Sign up, and (unless ``confirm`` is off) follow the verification link: the token the
    email carries, derived from the link's row (tests/e2e/identity/test_account_emails.py reads
    the email itself)."""
    response = api.post("v1/auth/register", json={"email": email, "password": password})
    assert response.status_code == 202, response.text
    if confirm:
        accounts.confirm_from_link_row(api, email)


def login(api: httpx.Client, actor: Actor, password: str = PASSWORD) -> Actor:
    response = api.post("v1/auth/login", json={"email": actor.email, "password": password})
    assert response.status_code == 200, response.text
    actor.access_token = response.json()["access_token"]
    actor.refresh_token = response.json()["refresh_token"]
    return actor


def make_user(api: httpx.Client, name: str, role: str | None) -> Actor:
    actor = Actor(name, email=fresh_email(name))
    register(api, actor.email)
    login(api, actor)
    # Sign-up does not say who was created (it must not reveal taken emails); /v1/me does.
    me = api.get("v1/me", headers=actor.headers())
    assert me.status_code == 200, me.text
    actor.user_id = str(me.json()["id"])
    if role is not None:
        response = api.post("v1/me/role", json={"role": role}, headers=actor.headers())
        assert response.status_code == 200, response.text
    return actor


def make_hr_with_company(api: httpx.Client, name: str) -> Actor:
    actor = make_user(api, name, "hr")
    response = api.post("v1/companies", json={"name": f"{name} Ltd"}, headers=actor.headers())
    assert response.status_code == 201, response.text
    actor.company_id = response.json()["id"]
    return actor


def make_admin(api: httpx.Client) -> Actor:
    actor = Actor("admin", email=fresh_email("admin"))
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings)) as conn:
        actor.user_id = str(create_admin(conn, actor.email, PASSWORD))
    return login(api, actor)


# Per module: access tokens live 15 minutes, and the suite is longer than that (a session-wide
# set made early had expired by the time the authorization matrix ran: 401 in every cell).
@pytest.fixture(scope="module", name="actors")
def actors_fixture(api: httpx.Client) -> dict[str, Actor]:
    """anonymous, a candidate, HR owning company A, HR owning company B, an admin."""
    return {
        "anonymous": Actor("anonymous"),
        "candidate": make_user(api, "candidate", "candidate"),
        "hr_a": make_hr_with_company(api, "hr-a"),
        "hr_b": make_hr_with_company(api, "hr-b"),
        "admin": make_admin(api),
    }
