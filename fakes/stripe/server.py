"""The fake Stripe: a stateful HTTP server on loopback for the real ``stripe`` SDK.

Why our own: ``localstripe`` (PyPI) has no Checkout Sessions and no Customer Portal, and
stripe-mock is stateless (and a Go binary). This one speaks what billing uses, as Stripe does:
form-encoded requests (``a[b][0][c]=v``), ``Authorization: Bearer sk_...`` (401 otherwise),
``Idempotency-Key`` (the same key answers the same object), Stripe's error bodies, and
webhooks signed exactly as Stripe signs them (``Stripe-Signature: t=<unix>,v1=<hex
HMAC-SHA256 of "t.body">``).

API: ``POST /v1/customers``, ``POST|GET /v1/checkout/sessions[/{id}]``,
``POST /v1/billing_portal/sessions``, ``GET|POST|DELETE /v1/subscriptions/{id}``.

What a customer would do on Stripe's pages is switched from Python (or ``POST /_fake/...``):
``complete_checkout`` (the subscription is created and paid), ``fail_payment``, ``pay``,
``cancel``. Each makes the events Stripe would, in Stripe's order, and delivers them to the
registered endpoint (``set_webhook``) unless ``deliver=False``, so a test can deliver them
itself: twice, late, or out of order (``deliver``). ``python -m fakes.stripe.server --port
12111`` runs it on its own.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2025-09-30.clover"
_KEY_PART = re.compile(r"\[([^\]]*)\]")


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends for ``payload``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding back to objects: ``a[b][0][c]=v`` -> {"a": {"b": [{"c": v}]}}."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head = key.split("[", 1)[0]
        parts = [head, *_KEY_PART.findall(key[len(head) :])]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    nested: dict[str, Any] = _lists(root)
    return nested


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


class StripeError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {
                "type": "invalid_request_error",
                "message": message,
                **({"code": code} if code else {}),
            }
        }


@dataclass
class Delivery:
    event_id: str
    event_type: str
    status: int | None
    body: str


@dataclass
class _State:
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    portals: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    idempotent: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


class FakeStripeServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_key: str = "sk_test_fake_stripe",
        webhook_secret: str = "whsec_fake_stripe_signing_secret",  # noqa: S107 - a fake's
    ) -> None:
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url: str | None = None
        self.deliveries: list[Delivery] = []
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.RLock()
        self._state = _State()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.prices = {"plus": "price_plus_monthly", "pro": "price_pro_monthly"}

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeStripeServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-stripe", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeStripeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_webhook(self, url: str | None) -> None:
        self.webhook_url = url

    def secret_value(self) -> dict[str, Any]:
        """What the platform's Stripe secret holds to use this fake."""
        return {
            "secret_key": self.api_key,
            "webhook_secret": self.webhook_secret,
            "api_base": self.base_url,
            "prices": dict(self.prices),
        }

    # -- ids and objects -------------------------------------------------------------------------
    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):06d}{secrets.token_hex(6)}"

    def _event(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        event = {
            "id": self._id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": json.loads(json.dumps(obj))},  # a copy: the state as of now
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
        self._state.events.append(event)
        return event

    @property
    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._state.events)

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        with self._lock:
            copy: dict[str, Any] = json.loads(
                json.dumps(self._state.subscriptions[subscription_id])
            )
            return copy

    def session(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._state.sessions[session_id])

    # -- the API ---------------------------------------------------------------------------------
    def api(  # noqa: PLR0911 - one return per route
        self, method: str, path: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        parts = [p for p in path.split("/") if p]
        with self._lock:
            match (method, parts):
                case ("POST", ["v1", "customers"]):
                    return self._create_customer(params)
                case ("GET", ["v1", "customers", cid]):
                    return self._get(self._state.customers, cid, "customer")
                case ("POST", ["v1", "checkout", "sessions"]):
                    return self._create_session(params)
                case ("GET", ["v1", "checkout", "sessions", sid]):
                    return self._get(self._state.sessions, sid, "checkout.session")
                case ("POST", ["v1", "billing_portal", "sessions"]):
                    return self._create_portal(params)
                case ("GET", ["v1", "subscriptions", sub_id]):
                    return self._get(self._state.subscriptions, sub_id, "subscription")
                case ("POST", ["v1", "subscriptions", sub_id]):
                    return self._update_subscription(sub_id, params)
                case ("DELETE", ["v1", "subscriptions", sub_id]):
                    return self.cancel(sub_id)
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    @staticmethod
    def _get(table: dict[str, dict[str, Any]], key: str, kind: str) -> dict[str, Any]:
        if key not in table:
            raise StripeError(404, f"No such {kind}: '{key}'", "resource_missing")
        return table[key]

    def _create_customer(self, params: dict[str, Any]) -> dict[str, Any]:
        customer: dict[str, Any] = {
            "id": self._id("cus"),
            "object": "customer",
            "created": int(time.time()),
            "email": params.get("email"),
            "name": params.get("name"),
            "metadata": params.get("metadata") or {},
            "livemode": False,
        }
        self._state.customers[customer["id"]] = customer
        return customer

    def _create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        for required in ("mode", "success_url", "line_items"):
            if not params.get(required):
                raise StripeError(400, f"Missing required param: {required}.", "parameter_missing")
        customer = params.get("customer")
        if customer and customer not in self._state.customers:
            raise StripeError(400, f"No such customer: '{customer}'", "resource_missing")
        prices = set(self.prices.values())
        items = params["line_items"]
        if not isinstance(items, list) or not items or items[0].get("price") not in prices:
            raise StripeError(400, "No such price.", "resource_missing")
        sid = self._id("cs_test")
        session = {
            "id": sid,
            "object": "checkout.session",
            "mode": params["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "customer": customer,
            "client_reference_id": params.get("client_reference_id"),
            "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"),
            "url": f"{self.base_url}/_fake/pay/{sid}",
            "subscription": None,
            "metadata": params.get("metadata") or {},
            "livemode": False,
            # Kept for completing it: what the subscription will be.
            "_price": items[0]["price"],
            "_subscription_metadata": (params.get("subscription_data") or {}).get("metadata") or {},
        }
        self._state.sessions[sid] = session
        return {k: v for k, v in session.items() if not k.startswith("_")}

    def _create_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = params.get("customer")
        if customer not in self._state.customers:
            raise StripeError(400, f"No such customer: '{customer}'", "resource_missing")
        pid = self._id("bps")
        portal = {
            "id": pid,
            "object": "billing_portal.session",
            "customer": customer,
            "return_url": params.get("return_url"),
            "url": f"{self.base_url}/_fake/portal/{pid}",
            "livemode": False,
        }
        self._state.portals[pid] = portal
        return portal

    def _update_subscription(self, sub_id: str, params: dict[str, Any]) -> dict[str, Any]:
        sub = self._get(self._state.subscriptions, sub_id, "subscription")
        if "cancel_at_period_end" in params:
            sub["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        items = params.get("items")
        if isinstance(items, list) and items and items[0].get("price"):
            sub["items"]["data"][0]["price"] = {"id": items[0]["price"], "object": "price"}
        self._emit("customer.subscription.updated", sub)
        return sub

    # -- what a customer does on Stripe's pages --------------------------------------------------
    def _emit(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        return self._event(event_type, obj)

    def _invoice(self, sub: dict[str, Any], status: str) -> dict[str, Any]:
        invoice = {
            "id": self._id("in"),
            "object": "invoice",
            "customer": sub["customer"],
            "status": status,
            "attempted": True,
            "paid": status == "paid",
            "parent": {
                "type": "subscription_details",
                "subscription_details": {
                    "subscription": sub["id"],
                    "metadata": dict(sub["metadata"]),
                },
            },
            "livemode": False,
        }
        self._state.invoices[invoice["id"]] = invoice
        return invoice

    def complete_checkout(self, session_id: str, *, deliver: bool = True) -> list[dict[str, Any]]:
        """The customer paid on Checkout's page: an active subscription, then Stripe's events
        (subscription created, invoice paid, session completed)."""
        with self._lock:
            session = self._get(self._state.sessions, session_id, "checkout.session")
            now = int(time.time())
            sub_id = self._id("sub")
            sub = {
                "id": sub_id,
                "object": "subscription",
                "customer": session["customer"],
                "status": "active",
                "cancel_at_period_end": False,
                "created": now,
                "metadata": dict(session["_subscription_metadata"]),
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": self._id("si"),
                            "object": "subscription_item",
                            "price": {"id": session["_price"], "object": "price"},
                            "quantity": 1,
                            "current_period_start": now,
                            "current_period_end": now + 30 * 86400,
                        }
                    ],
                },
                "livemode": False,
            }
            self._state.subscriptions[sub_id] = sub
            session.update(status="complete", payment_status="paid", subscription=sub_id)
            public_session = {k: v for k, v in session.items() if not k.startswith("_")}
            made = [
                self._emit("customer.subscription.created", sub),
                self._emit("invoice.paid", self._invoice(sub, "paid")),
                self._emit("checkout.session.completed", public_session),
            ]
        return self._maybe_deliver(made, deliver)

    def fail_payment(self, sub_id: str, *, deliver: bool = True) -> list[dict[str, Any]]:
        """A renewal's payment failed: the subscription is past due."""
        with self._lock:
            sub = self._get(self._state.subscriptions, sub_id, "subscription")
            sub["status"] = "past_due"
            made = [
                self._emit("invoice.payment_failed", self._invoice(sub, "open")),
                self._emit("customer.subscription.updated", sub),
            ]
        return self._maybe_deliver(made, deliver)

    def pay(self, sub_id: str, *, deliver: bool = True) -> list[dict[str, Any]]:
        with self._lock:
            sub = self._get(self._state.subscriptions, sub_id, "subscription")
            sub["status"] = "active"
            made = [
                self._emit("invoice.paid", self._invoice(sub, "paid")),
                self._emit("customer.subscription.updated", sub),
            ]
        return self._maybe_deliver(made, deliver)

    def cancel(self, sub_id: str, *, deliver: bool = True) -> dict[str, Any]:
        with self._lock:
            sub = self._get(self._state.subscriptions, sub_id, "subscription")
            sub["status"] = "canceled"
            sub["canceled_at"] = int(time.time())
            made = [self._emit("customer.subscription.deleted", sub)]
        self._maybe_deliver(made, deliver)
        return sub

    # -- webhooks --------------------------------------------------------------------------------
    def _maybe_deliver(self, made: list[dict[str, Any]], deliver: bool) -> list[dict[str, Any]]:
        if deliver and self.webhook_url:
            for event in made:
                self.deliver(event)
        return made

    def signed(self, event: dict[str, Any], timestamp: int | None = None) -> tuple[bytes, str]:
        payload = json.dumps(event, indent=2).encode()
        return payload, sign_payload(payload, self.webhook_secret, timestamp)

    def deliver(self, event: dict[str, Any], url: str | None = None) -> Delivery:
        """POST the event to the endpoint, signed as Stripe signs it."""
        target = url or self.webhook_url
        assert target, "no webhook endpoint registered"
        payload, signature = self.signed(event)
        request = urllib.request.Request(  # noqa: S310 - the test's own endpoint
            target,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": signature,
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                delivery = Delivery(
                    event["id"], event["type"], answer.status, answer.read().decode()
                )
        except urllib.error.HTTPError as exc:
            delivery = Delivery(event["id"], event["type"], exc.code, exc.read().decode())
        with self._lock:
            self.deliveries.append(delivery)
        return delivery

    # -- HTTP ------------------------------------------------------------------------------------
    def authorized(self, header: str | None) -> bool:
        return header == f"Bearer {self.api_key}"

    def idempotent(
        self, key: str | None, method: str, path: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        if not key or method != "POST":
            return self.api(method, path, params)
        with self._lock:
            found = self._state.idempotent.get((path, key))
            if found is None:
                found = self.api(method, path, params)
                self._state.idempotent[(path, key)] = found
            return found


def _handler_for(fake: FakeStripeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("Request-Id", f"req_{secrets.token_hex(8)}")
            self.end_headers()
            self.wfile.write(raw)

        def _params(self) -> dict[str, Any]:
            url = urlsplit(self.path)
            pairs = parse_qsl(url.query, keep_blank_values=True)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                pairs += parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)
            return _nested(pairs)

        def _handle(self, method: str) -> None:
            path = urlsplit(self.path).path
            params = self._params()
            fake.requests.append((method, path))
            if path.startswith("/_fake/"):
                self._control(path, params)
                return
            if not fake.authorized(self.headers.get("Authorization")):
                self._answer(
                    401,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "message": "Invalid API Key provided.",
                        }
                    },
                )
                return
            try:
                body = fake.idempotent(self.headers.get("Idempotency-Key"), method, path, params)
            except StripeError as exc:
                self._answer(exc.status, exc.body)
                return
            self._answer(200, body)

        def _control(self, path: str, params: dict[str, Any]) -> None:
            parts = [p for p in path.split("/") if p]
            try:
                match parts:
                    case ["_fake", "pay", session_id]:
                        events = fake.complete_checkout(session_id)
                        self._answer(200, {"events": [e["id"] for e in events]})
                    case ["_fake", "subscriptions", sub_id, "fail_payment"]:
                        self._answer(200, {"events": [e["id"] for e in fake.fail_payment(sub_id)]})
                    case ["_fake", "webhook"]:
                        fake.set_webhook(params.get("url"))
                        self._answer(200, {"url": fake.webhook_url})
                    case _:
                        self._answer(404, {"error": {"message": "no such control"}})
            except StripeError as exc:
                self._answer(exc.status, exc.body)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Stripe for local runs")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", default=None)
    args = parser.parse_args()
    with FakeStripeServer(port=args.port) as fake:
        fake.set_webhook(args.webhook_url)
        print(json.dumps(fake.secret_value()), flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
