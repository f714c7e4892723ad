"""GET /v1/health: is the platform able to serve (PostgreSQL and S3 reachable)?"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from shared.dal.aws import s3_client
from shared.dal.db import get_pool
from shared.errors import DependencyUnavailable
from shared.http.app import PUBLIC, create_app, lambda_handler_for
from shared.platform.dal import postgres_probe, s3_probe
from shared.platform.health import check_health
from shared.platform.models import HealthReport
from shared.settings import get_platform_settings

settings = get_platform_settings()
app = create_app("Platform health")


@app.get(
    "/v1/health",
    response_model=HealthReport,
    responses={503: {"model": HealthReport, "description": "A dependency is unreachable"}},
    tags=["platform"],
    summary="Report PostgreSQL and S3 reachability",
    openapi_extra=PUBLIC,
)
def get_health() -> JSONResponse:
    report = check_health(
        {
            "postgres": lambda: postgres_probe(get_pool()),
            "s3": lambda: s3_probe(s3_client(), settings.media_bucket),
        },
        service=settings.service,
        stage=settings.stage,
        version=settings.version,
    )
    if report.status == "ok":
        return JSONResponse(report.model_dump())
    # Degraded: the report (which check failed), and when to ask again, as every 503 says.
    return JSONResponse(
        report.model_dump(),
        status_code=503,
        headers={"Retry-After": str(DependencyUnavailable.retry_after_s)},
    )


handler = lambda_handler_for(app)
