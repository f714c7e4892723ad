"""A fake Stripe speaking Stripe's HTTP API to the real ``stripe`` SDK (see ``server.py``)."""

from fakes.stripe.server import FakeStripeServer, sign_payload

__all__ = ["FakeStripeServer", "sign_payload"]
