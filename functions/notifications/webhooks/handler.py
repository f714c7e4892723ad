"""/v1/webhooks: HR's webhook endpoints, their secrets, test pings, deliveries and redelivery."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Header, Query, Request, Response
from fastapi.responses import JSONResponse

from shared.dal.idempotency import idempotent
from shared.errors import ConflictError
from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, Caller, caller_transaction
from shared.notifications import webhooks
from shared.notifications.deps import default_webhook_deps
from shared.notifications.webhook_models import (
    DeliveryList,
    DeliveryOut,
    EndpointCreate,
    EndpointList,
    EndpointOut,
    EndpointUpdate,
    EndpointWithSecret,
)

app = create_app("Webhooks")
deps = default_webhook_deps()
Path = "/v1/webhooks/{endpoint_id}"


def _company(caller: Caller) -> uuid.UUID:
    if caller.user.company_id is None:
        raise ConflictError("Create or join a company first.")
    return caller.user.company_id


@app.post("/v1/webhooks", status_code=201, response_model=EndpointWithSecret, tags=["webhooks"])
def create_endpoint(
    body: EndpointCreate,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    fresh: list[dict[str, Any]] = []

    def run() -> EndpointWithSecret:
        made = webhooks.create_endpoint(conn, _company(caller), caller.id, body, deps)
        fresh.append(made.model_dump(mode="json"))
        # What an idempotent replay may keep: everything but the secret.
        return made.model_copy(update={"secret": None})

    with caller_transaction(request, HR) as (conn, caller):
        replay = idempotent(
            conn, f"webhook:{caller.id}", idempotency_key, body=body, status_code=201, run=run
        )
    return JSONResponse(fresh[0] if fresh else replay.body, status_code=replay.status_code)


@app.get("/v1/webhooks", response_model=EndpointList, tags=["webhooks"])
def list_endpoints(request: Request) -> EndpointList:
    with caller_transaction(request, HR) as (conn, caller):
        return webhooks.list_endpoints(conn, _company(caller))


@app.patch(Path, response_model=EndpointOut, tags=["webhooks"])
def update_endpoint(endpoint_id: uuid.UUID, body: EndpointUpdate, request: Request) -> EndpointOut:
    with caller_transaction(request, HR) as (conn, caller):
        return webhooks.update_endpoint(conn, _company(caller), endpoint_id, body, deps)


@app.delete(Path, status_code=204, tags=["webhooks"])
def delete_endpoint(endpoint_id: uuid.UUID, request: Request) -> Response:
    with caller_transaction(request, HR) as (conn, caller):
        webhooks.delete_endpoint(conn, _company(caller), endpoint_id)
    return Response(status_code=204)


@app.post(Path + "/rotate-secret", response_model=EndpointWithSecret, tags=["webhooks"])
def rotate_secret(endpoint_id: uuid.UUID, request: Request) -> EndpointWithSecret:
    with caller_transaction(request, HR) as (conn, caller):
        return webhooks.rotate_secret(conn, _company(caller), endpoint_id, deps)


def _send_now(request: Request, delivery_id: uuid.UUID) -> DeliveryOut:
    webhooks.dispatch([delivery_id], deps)
    with caller_transaction(request, HR) as (conn, caller):
        return webhooks.delivery_view(conn, _company(caller), delivery_id)


@app.post(Path + "/ping", response_model=DeliveryOut, tags=["webhooks"])
def ping(endpoint_id: uuid.UUID, request: Request) -> DeliveryOut:
    """A ``webhook.ping`` sent now; the answer is the delivery with its first attempt."""
    with caller_transaction(request, HR) as (conn, caller):
        delivery_id = webhooks.ping(conn, _company(caller), endpoint_id, deps)
    return _send_now(request, delivery_id)


@app.get(Path + "/deliveries", response_model=DeliveryList, tags=["webhooks"])
def list_deliveries(
    endpoint_id: uuid.UUID, request: Request, limit: Annotated[int, Query(ge=1, le=100)] = 50
) -> DeliveryList:
    with caller_transaction(request, HR) as (conn, caller):
        return webhooks.list_deliveries(conn, _company(caller), endpoint_id, limit)


@app.post(
    Path + "/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut, tags=["webhooks"]
)
def redeliver(endpoint_id: uuid.UUID, delivery_id: uuid.UUID, request: Request) -> DeliveryOut:
    """The delivery sent again now (a new attempt; the schedule starts afresh if it fails)."""
    with caller_transaction(request, HR) as (conn, caller):
        webhooks.redeliver(conn, _company(caller), endpoint_id, delivery_id)
    return _send_now(request, delivery_id)


handler = lambda_handler_for(app)
