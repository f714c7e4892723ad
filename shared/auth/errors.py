"""Errors of authentication and authorization (mapped to problem+json by the HTTP edge)."""

from __future__ import annotations

from shared.errors import DomainError


class AuthenticationError(DomainError):
    """No valid credentials. The detail is deliberately generic: it never says which check
    failed, nor whether an account exists."""

    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"

    def __init__(self, detail: str = "Authentication failed.") -> None:
        super().__init__(detail)


class RateLimitedError(DomainError):
    status = 429
    title = "Too Many Requests"
    type_slug = "rate-limited"

    def __init__(
        self, retry_after_s: int, detail: str = "Too many failed attempts; try again later."
    ) -> None:
        super().__init__(detail)
        self.retry_after_s = max(1, retry_after_s)
