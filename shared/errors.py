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
