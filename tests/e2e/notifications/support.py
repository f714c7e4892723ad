"""Helpers of the notifications e2e tests."""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from scripts import localenv

SES_INBOX = f"{localenv.ENDPOINT}/_aws/ses"


def wait_for(check: Callable[[], Any], deadline_s: float, what: str) -> Any:
    deadline = time.monotonic() + deadline_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {deadline_s:.0f} s waiting for {what}")
        time.sleep(0.25)  # poll interval within the deadline


def mailbox(address: str) -> list[email.message.EmailMessage]:
    answer = httpx.get(SES_INBOX, timeout=10)
    answer.raise_for_status()
    found = []
    for message in answer.json()["messages"]:
        raw = message.get("RawData")
        if raw and address in (message.get("Destination", {}).get("ToAddresses") or [address]):
            parsed = email.message_from_string(raw, policy=email.policy.default)
            if parsed["To"] == address:
                found.append(parsed)
    return found
