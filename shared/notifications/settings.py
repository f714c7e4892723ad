"""Notifications' settings (env prefix ``NOTIFY_``), validated once per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, StringConstraints
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotificationsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    # The From address (SES verifies it: an identity of the deployment).
    sender: Annotated[str, Field(min_length=3, max_length=254)] = "no-reply@interview-platform.dev"
    sender_name: Annotated[str, Field(min_length=1, max_length=100)] = "Interview Platform"
    # The SES configuration set every email is sent with: its event destination publishes
    # SES's feedback (delivery, bounce, complaint, reject) to our topic. None: no feedback.
    configuration_set: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None
    ) = None
    # The web app (links in emails) and the API (one-click unsubscribe, RFC 8058).
    frontend_origin: Annotated[str, Field(max_length=255)] = "http://localhost:5173"
    link_path: Annotated[str, StringConstraints(pattern=r"^/[a-z0-9/_-]{1,64}$")] = "/interview"
    api_url: Annotated[str, Field(max_length=512)] = "http://localhost:4566"
    # The reminder goes this long before an invitation expires.
    reminder_before_s: Annotated[int, Field(ge=3600, le=7 * 86400)] = 86400
    # A send that fails is tried again after 30 s, 60 s, 120 s ... this many times in all.
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 6
    retry_base_s: Annotated[int, Field(ge=1, le=3600)] = 30
    # A message claimed for sending and not finished within this is claimed again.
    lease_s: Annotated[int, Field(ge=10, le=3600)] = 120
    batch_size: Annotated[int, Field(ge=1, le=500)] = 50
    # Webhooks. Where an endpoint may be (shared/notifications/ssrf.py): plain HTTP and
    # loopback only where a local setting allows them.
    webhook_allow_http: bool = False
    webhook_allow_loopback: bool = False
    # The waits before each retry, in seconds (Standard Webhooks' suggestion: about a day in
    # all); after the last, the delivery has failed.
    webhook_retry_schedule_s: Annotated[
        str, StringConstraints(pattern=r"^[0-9]{1,6}(,[0-9]{1,6}){0,19}$")
    ] = "5,300,1800,7200,18000,36000,36000"
    # An endpoint failing without a success for this long is disabled and its owner emailed.
    webhook_disable_after_s: Annotated[int, Field(ge=60, le=30 * 86400)] = 5 * 86400
    # After a secret rotation, the previous secret signs too for this long.
    webhook_secret_overlap_s: Annotated[int, Field(ge=0, le=7 * 86400)] = 86400

    @property
    def webhook_retries_s(self) -> list[int]:
        return [int(part) for part in self.webhook_retry_schedule_s.split(",")]


@lru_cache(maxsize=1)
def get_notifications_settings() -> NotificationsSettings:
    return NotificationsSettings()
