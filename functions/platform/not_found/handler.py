"""Every request no route matches: 404 (unknown path) or 405 (known path, other method), and
the CORS preflight (OPTIONS) of every route.

API Gateway sends here through the one ANY method of each resource and {proxy+} resources, so
unknown routes answer problem+json like the rest of the API (LocalStack ignores gateway-response
templates), and no resource needs an OPTIONS method of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response

from shared.http.app import create_app, lambda_handler_for
from shared.http.problems import problem_response
from shared.platform.routing import judge_route, preflight_headers
from shared.settings import get_platform_settings

DOCUMENT_PATH = Path(__file__).resolve().parents[3] / "openapi.json"
_paths: dict[str, list[str]] = {
    path: list(operations)
    for path, operations in json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))["paths"].items()
}
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

app = create_app("Route not found")
_frontend_origin = get_platform_settings().frontend_origin


@app.api_route("/{path:path}", methods=_ALL_METHODS, include_in_schema=False)
def no_route(request: Request) -> Response:
    if request.method == "OPTIONS" and request.headers.get("access-control-request-method"):
        headers = preflight_headers(
            _paths, request.url.path, request.headers.get("origin", ""), _frontend_origin
        )
        if headers is not None:
            return Response(status_code=204, headers=headers)
    verdict = judge_route(_paths, request.method, request.url.path)
    if verdict.outcome == "method_not_allowed":
        response = problem_response(
            405,
            f"{request.method} is not allowed on {request.url.path}",
            instance=request.url.path,
        )
        response.headers["Allow"] = ", ".join(verdict.allowed)
        return response
    return problem_response(
        404, f"No route matches {request.method} {request.url.path}", instance=request.url.path
    )


handler = lambda_handler_for(app)
