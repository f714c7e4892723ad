"""The health report: what ``GET /v1/health`` answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class DependencyCheck(BaseModel):
    ok: bool
    latency_ms: float = Field(ge=0)
    detail: str | None = Field(default=None, max_length=300)


class HealthReport(BaseModel):
    status: Literal["ok", "degraded"]
    service: str
    stage: str
    version: str
    checks: dict[str, DependencyCheck]
