"""The notifications routes' rows of the authorization matrix."""

from __future__ import annotations

import uuid

from tests.e2e.test_authorization_matrix import Route, _all

NOTIFICATION_ROUTES: list[Route] = [
    Route(
        "notify-prefs",
        "GET",
        lambda c: "v1/notifications/preferences",
        None,
        _all(200, anonymous=401),
    ),
    Route(
        "notify-prefs-update",
        "PATCH",
        lambda c: "v1/notifications/preferences",
        lambda c: {"interview_completed": True},
        _all(200, anonymous=401),
    ),
    Route(
        "notify-delivery-log",
        "GET",
        lambda c: "v1/notifications/messages?limit=5",
        None,
        _all(403, anonymous=401, hr_a=200, hr_b=200),
    ),
    Route(
        "webhooks-list",
        "GET",
        lambda c: "v1/webhooks",
        None,
        _all(403, anonymous=401, hr_a=200, hr_b=200),
    ),
    Route(
        "webhooks-create-metadata-url",
        "POST",
        lambda c: "v1/webhooks",
        lambda c: {"url": "http://169.254.169.254/", "event_types": ["invitation.created"]},
        _all(403, anonymous=401, hr_a=422, hr_b=422),
    ),
    Route(
        "webhooks-ping-unknown",
        "POST",
        lambda c: f"v1/webhooks/{uuid.uuid4()}/ping",
        None,
        _all(403, anonymous=401, hr_a=404, hr_b=404),
    ),
    # Anonymous by design (a mail client calls it); a token we did not sign is a 404 for all.
    Route(
        "notify-unsubscribe-forged",
        "POST",
        lambda c: "v1/notifications/unsubscribe?token=aGVsbG8.c2lnbmF0dXJl",
        None,
        _all(404),
    ),
]
