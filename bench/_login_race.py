"""The raced login limit, measured against the deployed stack of the current stage: 50
wrong-password logins for one account sent at once through API Gateway. An attempt that
reached the password check answers 401; one refused before it answers 429. Used by
bench/resilience.py (`login_attempts_admitted_of_50`, target <= 5; warmed up first) and by
tests/e2e/identity/test_identity_hardening.py."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from scripts import localenv
from scripts.main_job import PASSWORD, expect

ATTEMPTS = 50
WARM_UP_DEADLINE_S = 300.0


def warm_up(api_url: str, attempts: int = ATTEMPTS, deadline_s: float = WARM_UP_DEADLINE_S) -> int:
    """Start the login function's environments before the race: rounds of ``attempts`` parallel
    logins with an empty body (422 before any attempt is recorded, so no limit is touched) until
    a round gets no 5xx. On this 2-core machine a cold environment takes seconds to start and
    API Gateway answers 502 meanwhile, which would hide what the race measures. The rounds run."""
    deadline = time.monotonic() + deadline_s
    rounds = 0

    def empty_login(_: int) -> int:
        with httpx.Client(base_url=api_url, timeout=300.0) as api:
            return api.post("v1/auth/login", json={}).status_code

    while True:
        rounds += 1
        with ThreadPoolExecutor(max_workers=attempts) as pool:
            statuses = Counter(pool.map(empty_login, range(attempts)))
        if not any(status >= 500 for status in statuses):
            return rounds
        if time.monotonic() > deadline:
            raise RuntimeError(f"the login function did not warm up: {dict(statuses)}")


def race(api_url: str, attempts: int = ATTEMPTS) -> Counter[int]:
    """The status codes of ``attempts`` parallel wrong-password logins to a fresh account."""
    email = f"race-{uuid.uuid4().hex[:10]}@example.com"
    with httpx.Client(base_url=api_url, timeout=300.0) as api:
        expect(api.post("v1/auth/register", json={"email": email, "password": PASSWORD}), 202)
    start = threading.Barrier(attempts)

    def attempt(_: int) -> int:
        with httpx.Client(base_url=api_url, timeout=300.0) as api:
            start.wait()
            body = {"email": email, "password": "wrong password 404"}
            return api.post("v1/auth/login", json=body).status_code

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = Counter(pool.map(attempt, range(attempts)))
    unexpected = set(statuses) - {401, 429}
    if unexpected:
        raise RuntimeError(f"the login race got answers other than 401/429: {dict(statuses)}")
    return statuses


def measure() -> dict[str, int]:
    api_url = localenv.stack_outputs()["ApiUrl"]
    rounds = warm_up(api_url)
    statuses = race(api_url)
    print(f"login race after {rounds} warm-up round(s): {dict(statuses)}")
    return {"login_attempts_admitted_of_50": statuses[401]}


if __name__ == "__main__":
    print(measure())
