"""The fake Groq server: a real HTTP server on loopback for the real ``groq`` client.

Routes: ``POST /openai/v1/audio/transcriptions`` (``fakes.groq.transcriptions``) and, when the
module exists, ``POST /openai/v1/chat/completions`` (``fakes.groq.chat.handle_chat``). Faults
are switched from Python (:meth:`FakeGroqServer.fail_next`) or over HTTP
(``POST /_fake/control``), and apply to both routes:

* ``rate_limit``: 429 with ``retry-after`` (seconds) and Groq's error body;
* ``server_error``: 500;
* ``timeout``: hang ``hang_s`` (longer than the client's timeout) before answering;
* ``malformed``: 200 with a body that is not JSON.

A request budget like Groq's (:meth:`FakeGroqServer.set_rate_limit`, or ``{"rpm": N}`` over
HTTP): chat completions beyond N in any 60 s answer 429 with the ``retry-after`` until the
oldest leaves the window, and are counted in ``rate_limited``.

Counters (``calls``, ``faults_served``) and per-call latency let tests and benchmarks see what
the client did. ``python -m fakes.groq.server --port 8099`` runs it on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from fakes.groq import transcriptions

TRANSCRIPTIONS = "/openai/v1/audio/transcriptions"
CHAT = "/openai/v1/chat/completions"
CONTROL = "/_fake/control"
STATS = "/_fake/stats"
FaultKind = Literal["rate_limit", "server_error", "timeout", "malformed"]


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    # Which route it hits: "transcriptions", "chat" or None (either).
    route: str | None = None
    retry_after_s: float = 1.0
    hang_s: float = 5.0


@dataclass(slots=True)
class CallRecord:
    path: str
    at: float
    status: int
    fault: str | None
    fields: dict[str, str]
    # A chat completion's messages as received (what the model would have read).
    messages: list[dict[str, Any]] | None = None


class FakeGroqServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._script: list[str] = []
        self._latency_s = 0.0
        self._rpm: int | None = None
        # (times real time, seconds added): a transcription's latency from its audio's length.
        self._transcription_speed: tuple[float, float] | None = None
        self._chat_times: list[float] = []
        self.rate_limited = 0
        self._stopping = threading.Event()
        self.calls: Counter[str] = Counter()
        self.faults_served: Counter[str] = Counter()
        self.records: list[CallRecord] = []
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeGroqServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-groq", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers hanging in a "timeout" fault
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeGroqServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- switches --------------------------------------------------------------------------------
    def fail_next(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._faults.extend([fault] * times)

    def set_latency(self, seconds: float) -> None:
        with self._lock:
            self._latency_s = max(0.0, seconds)

    def set_transcription_speed(
        self, realtime_factor: float | None, overhead_s: float = 0.0
    ) -> None:
        """Transcriptions take (audio seconds / ``realtime_factor``) + ``overhead_s`` (instead of
        the latency of :meth:`set_latency`, which then applies to chat only); None: off."""
        with self._lock:
            self._transcription_speed = (
                (realtime_factor, max(0.0, overhead_s)) if realtime_factor else None
            )

    def set_rate_limit(self, rpm: int | None) -> None:
        """At most ``rpm`` chat completions in any 60 s (None: no limit)."""
        with self._lock:
            self._rpm = rpm
            self._chat_times = []

    def _admit_chat(self) -> float | None:
        """None when the request fits the minute's budget (and is counted), else how long until
        it would."""
        with self._lock:
            if self._rpm is None:
                return None
            now = time.monotonic()
            self._chat_times = [t for t in self._chat_times if now - t < 60.0]
            if len(self._chat_times) < self._rpm:
                self._chat_times.append(now)
                return None
            self.rate_limited += 1
            return max(0.001, 60.0 - (now - self._chat_times[0]))

    def set_script(self, sentences: list[str]) -> None:
        """The words of the voiced stretches, in order (cycled)."""
        with self._lock:
            self._script = list(sentences)

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._script = []
            self._latency_s = 0.0
            self._rpm = None
            self._chat_times = []
            self.rate_limited = 0
            self._transcription_speed = None
            self.calls.clear()
            self.faults_served.clear()
            self.records.clear()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": dict(self.calls),
                "faults_served": dict(self.faults_served),
                "pending_faults": [asdict(f) for f in self._faults],
                "latency_s": self._latency_s,
                "rpm": self._rpm,
                "rate_limited": self.rate_limited,
            }

    # -- used by the handler ---------------------------------------------------------------------
    def _take_fault(self, route: str) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.route in {None, route}:
                    # Counted when served, not when answered: a hung call's client is long gone.
                    self.faults_served[fault.kind] += 1
                    return self._faults.pop(index)
        return None

    def _record(self, record: CallRecord) -> None:
        with self._lock:
            self.calls[record.path] += 1
            self.records.append(record)

    def _control(self, body: dict[str, Any]) -> None:
        if body.get("reset"):
            self.reset()
        if "latency_s" in body:
            self.set_latency(float(body["latency_s"]))
        if "script" in body:
            self.set_script([str(s) for s in body["script"]])
        if "transcription_speed" in body:
            speed = body["transcription_speed"] or {}
            self.set_transcription_speed(
                speed.get("realtime_factor"), float(speed.get("overhead_s") or 0.0)
            )
        if "rpm" in body:
            self.set_rate_limit(int(body["rpm"]) if body["rpm"] is not None else None)
        if "fault" in body:
            spec = dict(body["fault"])
            times = int(spec.pop("times", 1))
            self.fail_next(Fault(**spec), times)


def _error_body(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind}
    if code:
        error["code"] = code
    return {"error": error}


def _handler_for(fake: FakeGroqServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
            return

        _pending: CallRecord | None = None

        def _send(
            self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            # Recorded before the answer leaves: a client that got it can count on the record.
            if self._pending is not None:
                self._pending.status = status
                fake._record(self._pending)
                self._pending = None
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(body).encode(), "application/json", headers)

        def do_GET(self) -> None:
            if self.path == STATS:
                self._json(200, fake.stats())
            else:
                self._json(404, _error_body("Unknown request URL", "invalid_request_error"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.path == CONTROL:
                fake._control(json.loads(raw or b"{}"))
                self._json(200, fake.stats())
                return
            route = {TRANSCRIPTIONS: "transcriptions", CHAT: "chat"}.get(self.path)
            if route is None:
                self._json(404, _error_body("Unknown request URL", "invalid_request_error"))
                return
            if not self.headers.get("Authorization", "").startswith("Bearer "):
                self._json(
                    401, _error_body("Invalid API Key", "invalid_request_error", "invalid_api_key")
                )
                return
            with fake._lock:
                latency = fake._latency_s
                script = list(fake._script)
                speed = fake._transcription_speed
            if route == "transcriptions" and speed is not None:
                latency = 0.0  # from the audio's length, once it is read (_transcription)
            if latency:
                fake._stopping.wait(latency)
            fault = fake._take_fault(route)
            self._pending = CallRecord(self.path, time.time(), 0, fault.kind if fault else None, {})
            # A client that gave up (its timeout) before the answer is not an error here.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._serve(route, raw, script, fault)

        def _serve(
            self, route: str, raw: bytes, script: list[str], fault: Fault | None
        ) -> tuple[int, dict[str, str]]:
            if fault is not None and fault.kind == "timeout":
                fake._stopping.wait(fault.hang_s)
            if fault is not None and fault.kind == "rate_limit":
                self._json(
                    429,
                    _error_body(
                        "Rate limit reached for model. Please try again later.",
                        "tokens",
                        "rate_limit_exceeded",
                    ),
                    {"retry-after": f"{fault.retry_after_s:g}"},
                )
                return 429, {}
            if fault is not None and fault.kind == "server_error":
                self._json(500, _error_body("Internal Server Error", "internal_server_error"))
                return 500, {}
            if fault is not None and fault.kind == "malformed":
                self._send(200, b'{"text": "cut off', "application/json")
                return 200, {}
            if route == "transcriptions":
                return self._transcription(raw, script)
            wait = fake._admit_chat()
            if wait is not None:
                self._json(
                    429,
                    _error_body(
                        "Rate limit reached for model: requests per minute (RPM). Please try"
                        " again later.",
                        "requests",
                        "rate_limit_exceeded",
                    ),
                    {"retry-after": f"{wait:.3f}"},
                )
                return 429, {}
            return self._chat(raw)

        def _transcription(self, raw: bytes, script: list[str]) -> tuple[int, dict[str, str]]:
            try:
                upload = transcriptions.parse_multipart(self.headers.get("Content-Type", ""), raw)
            except ValueError as exc:
                self._json(400, _error_body(str(exc), "invalid_request_error"))
                return 400, {}
            if self._pending is not None:
                self._pending.fields = dict(upload.fields)
            with fake._lock:
                speed = fake._transcription_speed
            # The modelled time is the whole service time: the fake's own reading of the audio
            # is part of it, not added to it.
            received = time.monotonic()
            voiced = transcriptions.analyse(upload)
            if speed is not None and voiced is not None:
                modelled = voiced[0] / speed[0] + speed[1]
                fake._stopping.wait(max(0.0, received + modelled - time.monotonic()))
            status, body = transcriptions.transcribe(upload, script, voiced)
            if isinstance(body, str):
                self._send(status, body.encode(), "text/plain; charset=utf-8")
            else:
                self._json(status, body)
            return status, upload.fields

        def _chat(self, raw: bytes) -> tuple[int, dict[str, str]]:
            try:
                chat = importlib.import_module("fakes.groq.chat")
            except ModuleNotFoundError:
                self._json(
                    404, _error_body("chat completions are not faked here", "invalid_request_error")
                )
                return 404, {}
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._json(400, _error_body("invalid JSON body", "invalid_request_error"))
                return 400, {}
            if self._pending is not None and isinstance(body.get("messages"), list):
                self._pending.messages = list(body["messages"])
            status, answer, headers = chat.handle_chat(body)
            self._json(status, answer, headers)
            return status, {"model": str(body.get("model", ""))}

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the fake Groq server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args()
    server = FakeGroqServer(args.host, args.port).start()
    print(f"fake Groq on {server.base_url} (not Groq)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
