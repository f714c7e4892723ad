"""Signing up on the local stack as a person would: register, confirm the address, sign in.

Two ways to confirm (both follow the link through ``POST /v1/auth/verify-email``):

- ``confirm_from_inbox``: the verification email itself, read back from LocalStack's SES store
  (``/_aws/ses``), and the link in it: what the demo and the account-email tests do;
- ``confirm_from_link_row``: the link's row in PostgreSQL and the stage's app key (from its
  secret), for test fixtures that make many users and test something else: the same token the
  email would carry, without waiting for the mail.
"""

from __future__ import annotations

import email
import email.errors
import email.message
import email.policy
import re
import time
from functools import cache

import httpx
import psycopg

from scripts import localenv
from shared.appkey import AppKey
from shared.dal.db import conninfo_for
from shared.identity import links
from shared.identity.models import LinkPurpose
from shared.settings import DatabaseSettings

SES_INBOX = f"{localenv.ENDPOINT}/_aws/ses"
# An emailed account link: the web app's page and the token in the fragment.
ACCOUNT_LINK = re.compile(r"https?://\S+?(/verify-email|/reset-password|/confirm-email)#([\w.-]+)")
POLL_S = 0.25


def mailbox(address: str) -> list[email.message.EmailMessage]:
    """Every message SES has accepted for ``address`` (oldest first)."""
    answer = httpx.get(SES_INBOX, timeout=30)
    answer.raise_for_status()
    found = []
    for message in answer.json()["messages"]:
        raw = message.get("RawData")
        destination = message.get("Destination") or {}
        # Other messages are not parsed at all: a fuzzer's odd addresses (their To headers
        # may not even parse) are no concern of this mailbox.
        if not raw or address not in raw:
            continue
        if address in (destination.get("ToAddresses") or [address]):
            parsed = email.message_from_string(raw, policy=email.policy.default)
            try:
                to = str(parsed["To"])
            except (email.errors.HeaderParseError, IndexError, ValueError):
                continue
            if to == address:
                found.append(parsed)
    return found


def text_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        raise ValueError("the message has no text body")
    return str(part.get_content())


def wait_for_mail(
    address: str, subject_has: str, *, count: int = 1, deadline_s: float = 60.0
) -> list[email.message.EmailMessage]:
    """At least ``count`` messages to ``address`` whose subject has ``subject_has``."""
    deadline = time.monotonic() + deadline_s
    while True:
        found = [m for m in mailbox(address) if subject_has in str(m["Subject"])]
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"no email {subject_has!r} to {address} within {deadline_s:.0f} s")
        time.sleep(POLL_S)  # poll interval within the deadline


def link_token(message: email.message.EmailMessage, page: str) -> str:
    for match in ACCOUNT_LINK.finditer(text_of(message)):
        if match.group(1) == page:
            return match.group(2)
    raise ValueError(f"the message has no {page} link")


@cache
def stage_app_key() -> AppKey:
    name = f"interview-platform/{localenv.STAGE}/app-key"
    value = localenv.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
    return AppKey(value.encode())


def newest_link_token(address: str, purpose: LinkPurpose) -> str:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        row = conn.execute(
            "SELECT l.id FROM identity.account_links l JOIN identity.users u ON u.id = l.user_id"
            " WHERE (u.email = %s OR l.new_email = %s) AND l.purpose = %s"
            " ORDER BY l.created_at DESC LIMIT 1",
            (address, address, purpose),
        ).fetchone()
    if row is None:
        raise LookupError(f"no {purpose} link for {address}")
    return links.token_for(stage_app_key(), row[0], purpose)


def _verify(api: httpx.Client, token: str) -> None:
    answer = api.post("v1/auth/verify-email", json={"token": token})
    if answer.status_code != 200:
        raise AssertionError(f"verify-email answered {answer.status_code}: {answer.text}")


def confirm_from_inbox(api: httpx.Client, address: str, deadline_s: float = 60.0) -> None:
    message = wait_for_mail(address, "Confirm your email", deadline_s=deadline_s)[-1]
    _verify(api, link_token(message, "/verify-email"))


def confirm_from_link_row(api: httpx.Client, address: str) -> None:
    _verify(api, newest_link_token(address, "verify_email"))
