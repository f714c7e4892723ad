"""The reports' exceptions. Generating a report fails with ``ReportGenerationFailed`` (its
reason is what HR reads); anything else is an unexpected failure (logged, a fixed reason)."""

from __future__ import annotations

from shared.errors import DomainError


class ReportGenerationFailed(DomainError):
    """The report could not be made, for a reason HR may read."""
