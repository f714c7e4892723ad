"""Rotate the JWT signing key: a new newest key (kid) joins the ring; the previous one stays in
JWKS so tokens it signed verify until they expire. Invoked by ops (or a schedule)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.auth.http import key_store
from shared.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    kid = key_store().rotate()
    logger.info("signing key rotated", extra={"kid": kid})
    return {"kid": kid, "kids": [k.kid for k in key_store().ring().keys]}
