"""Apply pending database migrations (invoked by the deploy in AWS; `make migrate` locally)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.observability import logger
from shared.settings import get_database_settings


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    applied = migrate(conninfo_for(get_database_settings()))
    names = [f"{m.version:04d}_{m.name}" for m in applied]
    logger.info("migrations applied", extra={"applied": names})
    return {"applied": names}
