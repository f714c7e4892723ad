"""One signed POST to a webhook endpoint: to the checked address, no redirects, a 15 s timeout,
at most 64 KiB of the answer read (the first 1,000 characters kept for the log)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import httpx

from shared.notifications.ssrf import Target

TIMEOUT_S = 15.0
MAX_BODY_BYTES = 64 * 1024
EXCERPT_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int | None
    latency_ms: int
    excerpt: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@lru_cache(maxsize=1)
def _client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT_S, follow_redirects=False, trust_env=False)


def _address_url(target: Target, path_and_query: str) -> str:
    host = f"[{target.address}]" if ":" in target.address else target.address
    return f"{target.scheme}://{host}:{target.port}{path_and_query}"


def post(target: Target, body: bytes, headers: dict[str, str]) -> Answer:
    parts = httpx.URL(target.url)
    path = parts.raw_path.decode() or "/"
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    started = time.monotonic()
    try:
        with _client().stream(
            "POST",
            _address_url(target, path),
            content=body,
            headers={**headers, "Host": host_header, "Content-Type": "application/json"},
            # TLS to the name the user gave (certificate checked against it), on the address
            # that was checked.
            extensions={"sni_hostname": target.host},
        ) as response:
            read = bytearray()
            for chunk in response.iter_bytes():
                read += chunk
                if len(read) >= MAX_BODY_BYTES:
                    break
            excerpt = bytes(read[:MAX_BODY_BYTES]).decode("utf-8", "replace")[:EXCERPT_CHARS]
            return Answer(response.status_code, _ms(started), excerpt, None)
    except httpx.TimeoutException:
        return Answer(None, _ms(started), None, f"no answer within {TIMEOUT_S:.0f} s")
    except httpx.HTTPError as exc:
        return Answer(None, _ms(started), None, f"could not connect ({type(exc).__name__})")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
