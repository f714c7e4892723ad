"""Helpers of the notifications e2e tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

# What SES accepted for an address, read back from LocalStack (one reader for every test).
from scripts.accounts import mailbox

__all__ = ["mailbox", "wait_for"]


def wait_for(check: Callable[[], Any], deadline_s: float, what: str) -> Any:
    deadline = time.monotonic() + deadline_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {deadline_s:.0f} s waiting for {what}")
        time.sleep(0.25)  # poll interval within the deadline
