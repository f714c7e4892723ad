"""One way to build a use case's HTTP app and its Lambda entry point."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

from shared.http.edge import EdgeRoute, apply_cors, idempotency_key_problem
from shared.http.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers, problem_response
from shared.observability import logger
from shared.settings import get_platform_settings

CORRELATION_HEADER = "x-correlation-id"
# An operation's OpenAPI security (scripts/openapi.py): every operation needs a bearer token
# unless its route says otherwise. The deployment derives from this which methods sit behind
# the token authorizer (cdk/interview_platform/constructs/routes.py), so the two cannot drift.
PUBLIC: dict[str, Any] = {"security": []}
LINK_TOKEN: dict[str, Any] = {"security": [{"invitationToken": []}]}
_MAX_CORRELATION_ID = 128


def _correlation_id(request: Request) -> str:
    given = request.headers.get(CORRELATION_HEADER, "")
    # Accept a caller's id only if it is printable and bounded; otherwise make our own.
    if given and len(given) <= _MAX_CORRELATION_ID and given.isprintable():
        return given
    return str(uuid.uuid4())


def create_app(title: str, *, frontend_origin: str | None = None) -> FastAPI:
    """A FastAPI app with problem+json errors, correlation ids and the edge's checks
    (shared/http/edge.py: CORS on every answer, the Idempotency-Key's shape, NUL bytes, strict
    JSON bodies); no per-app docs routes.

    The whole API's OpenAPI document is assembled from every app and served by its own route.
    """
    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)
    # Before any route is added: every route of the app is an EdgeRoute.
    app.router.route_class = EdgeRoute
    app.state.frontend_origin = frontend_origin or get_platform_settings().frontend_origin
    install_problem_handlers(app)

    @app.middleware("http")
    async def _edge(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        correlation_id = _correlation_id(request)
        logger.set_correlation_id(correlation_id)
        reason = idempotency_key_problem(request.headers)
        if reason is not None:
            response: Response = problem_response(
                400, reason, slug="invalid-idempotency-key", instance=request.url.path
            )
        else:
            response = await call_next(request)
        response.headers[CORRELATION_HEADER] = correlation_id
        apply_cors(response, request.headers.get("origin"), app.state.frontend_origin)
        return response

    return app


def lambda_handler_for(app: FastAPI) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """Wrap an app as a Lambda handler (API Gateway REST proxy events)."""
    # Without problem+json among the text types, Mangum would base64 the body of every error.
    adapter = Mangum(
        app, lifespan="off", text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, PROBLEM_MEDIA_TYPE]
    )

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        result: dict[str, Any] = adapter(event, context)
        return result

    return handler
