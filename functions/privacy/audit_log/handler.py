"""GET /v1/privacy/audit-log: the audit log for admins, newest first, filtered, keyset cursor."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query, Request

from shared.events.envelope import EVENT_TYPE_PATTERN
from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import ADMIN, caller_transaction
from shared.privacy import rights
from shared.privacy.dal import AuditFilter
from shared.privacy.models import AuditPage

app = create_app("Admin: audit log")


@app.get("/v1/privacy/audit-log", response_model=AuditPage, tags=["privacy"])
def read_audit_log(  # noqa: PLR0917 - the route's query parameters
    request: Request,
    actor_id: uuid.UUID | None = None,
    tenant_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(max_length=100, pattern=EVENT_TYPE_PATTERN)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
) -> AuditPage:
    where = AuditFilter(
        actor_id=actor_id, tenant_id=tenant_id, action=action, since=since, until=until
    )
    with caller_transaction(request, ADMIN) as (conn, _caller):
        return rights.read_audit_log(conn, where, cursor, limit)


handler = lambda_handler_for(app)
