"""Domain errors. Data access and logic raise these; the HTTP edge maps them to problem+json."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the platform expects and can explain to a caller."""

    status: int = 400
    title: str = "Bad request"
    type_slug: str = "bad-request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def extensions(self) -> dict[str, object]:
        """RFC 9457 extension members the problem carries besides the standard ones."""
        return {}


class NotFoundError(DomainError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class ConflictError(DomainError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class PermissionDeniedError(DomainError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class UnprocessableError(DomainError):
    status = 422
    title = "Unprocessable Content"
    type_slug = "unprocessable"


class PaymentRequiredError(DomainError):
    """A plan's limit is reached: the problem names the limit, the usage and the upgrade path
    (its extension members)."""

    status = 402
    title = "Payment Required"
    type_slug = "payment-required"


class DependencyUnavailable(DomainError):
    """A dependency the platform needs (PostgreSQL) did not answer in time: the caller should
    retry. Its class name is also the error a workflow step raises, which every state machine
    retries by name with backoff."""

    status = 503
    title = "Service Unavailable"
    type_slug = "dependency-unavailable"
    # What `Retry-After` tells a caller: about the time PostgreSQL needs to come back.
    retry_after_s = 5

    def __init__(
        self, detail: str = "A service the platform needs is unavailable; retry shortly."
    ) -> None:
        super().__init__(detail)
