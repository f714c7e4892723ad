"""The context's dependencies, built once per process, on first use."""

from __future__ import annotations

from functools import lru_cache

from shared.appkey import app_key
from shared.dal.db import transaction
from shared.notifications.delivery import DeliveryDeps
from shared.notifications.feedback_consumer import FeedbackDeps
from shared.notifications.mail import SesMailer
from shared.notifications.settings import get_notifications_settings
from shared.notifications.webhooks import WebhookDeps


@lru_cache(maxsize=1)
def default_deps() -> DeliveryDeps:
    return DeliveryDeps(
        transaction=transaction,
        mailer=SesMailer(configuration_set=get_notifications_settings().configuration_set),
        key=app_key,
        settings=get_notifications_settings(),
    )


@lru_cache(maxsize=1)
def default_webhook_deps() -> WebhookDeps:
    return WebhookDeps(transaction=transaction, key=app_key, settings=get_notifications_settings())


@lru_cache(maxsize=1)
def default_feedback_deps() -> FeedbackDeps:
    return FeedbackDeps(transaction=transaction)
