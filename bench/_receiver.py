"""The benchmark's webhook receiver on loopback (as tests/integration/notifications/receiver.py):
one path per registered endpoint, each delivery stamped with its arrival time (this host's
clock, the one the platform's ``occurredAt`` is written with) and verified with the
``standardwebhooks`` library against that endpoint's secret. A delivery that does not verify is
answered 400 and counted, never kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True, slots=True)
class Arrival:
    path: str
    webhook_id: str
    at: float  # time.time() when the request's headers had arrived
    message: dict[str, Any]  # the verified body


@dataclass
class Receiver:
    base_url: str
    secrets: dict[str, str] = field(default_factory=dict)  # path -> the endpoint's secret
    arrivals: list[Arrival] = field(default_factory=list)
    rejected: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path

    def snapshot(self) -> list[Arrival]:
        with self.lock:
            return list(self.arrivals)


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver(base_url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the platform's client reuses connections

        def do_POST(self) -> None:
            at = time.time()
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            headers = {k.lower(): v for k, v in self.headers.items()}
            with state.lock:
                secret = state.secrets.get(self.path)
            status = 400
            if secret is not None:
                try:
                    message = Webhook(secret).verify(body, headers)
                except WebhookVerificationError:
                    pass
                else:
                    status = 200
                    with state.lock:
                        state.arrivals.append(
                            Arrival(self.path, headers["webhook-id"], at, dict(message))
                        )
            if status != 200:
                with state.lock:
                    state.rejected += 1
            answer = f"answered {status}".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
