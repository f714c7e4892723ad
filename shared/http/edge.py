"""What every request and response passes at the HTTP edge, whatever the route: CORS headers on
every answer, the Idempotency-Key's shape, NUL bytes refused in every string, and JSON bodies
parsed strictly (the OpenAPI document is the contract: "60" is not an integer).

Kept in one place so a route cannot forget them: ``create_app`` (app.py) installs the
middleware and makes every route an ``EdgeRoute``; scripts/openapi.py documents the same rules
from the constants here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, Iterator, Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError

# ---- CORS ---------------------------------------------------------------------------------
# What a browser script may read besides the CORS-safelisted response headers.
CORS_EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "Retry-After",
    "WWW-Authenticate",
    "Allow",
    "X-Correlation-Id",
)


def cors_headers(request_origin: str | None, allowed_origin: str) -> dict[str, str]:
    """The CORS headers of an actual (non-preflight) response: the allow-origin only for our one
    origin; ``Vary: Origin`` always, so a cache never serves one origin's answer to another."""
    headers = {"Vary": "Origin"}
    if request_origin and request_origin == allowed_origin:
        headers["Access-Control-Allow-Origin"] = allowed_origin
        headers["Access-Control-Expose-Headers"] = ", ".join(CORS_EXPOSED_HEADERS)
    return headers


def apply_cors(response: Response, request_origin: str | None, allowed_origin: str) -> None:
    for name, value in cors_headers(request_origin, allowed_origin).items():
        if name == "Vary" and "vary" in response.headers:
            existing = response.headers["vary"]
            if "origin" not in existing.lower():
                response.headers["Vary"] = f"{existing}, Origin"
            continue
        response.headers[name] = value


# ---- Idempotency-Key ------------------------------------------------------------------------
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Visible ASCII only (no space, no control character, nothing a proxy might re-encode),
# 1 to 255 characters: a UUID, a ULID or a client's own counter fits; the key is stored as text.
IDEMPOTENCY_KEY_MIN = 1
IDEMPOTENCY_KEY_MAX = 255
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
IDEMPOTENCY_KEY_RULE = (
    f"{IDEMPOTENCY_KEY_MIN} to {IDEMPOTENCY_KEY_MAX} visible ASCII characters (0x21-0x7E)"
)


def idempotency_key_problem(headers: Mapping[str, str]) -> str | None:
    """Why the request's Idempotency-Key is unusable, or None when it is absent or well formed."""
    raw = headers.get(IDEMPOTENCY_HEADER.lower())
    if raw is None:
        return None
    if _IDEMPOTENCY_KEY.fullmatch(raw) is None:
        return f"The {IDEMPOTENCY_HEADER} header must be {IDEMPOTENCY_KEY_RULE}."
    return None


# ---- NUL bytes and strict bodies ------------------------------------------------------------
NUL = "\x00"
NUL_MESSAGE = "NUL characters are not allowed"


def _nul_paths(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and NUL in key:
                yield (*path, key)
            yield from _nul_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, (*path, index))


def nul_errors(request: Request, body: Any) -> list[dict[str, Any]]:
    """Every string of the request holding a NUL (PostgreSQL text cannot store one), each
    named by its location, as FastAPI names a validation error."""
    errors: list[dict[str, Any]] = []

    def refuse(loc: tuple[str | int, ...]) -> None:
        errors.append({"type": "string_nul", "loc": loc, "msg": NUL_MESSAGE, "input": None})

    for name, value in request.path_params.items():
        if isinstance(value, str) and NUL in value:
            refuse(("path", name))
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            refuse(("query", name))
    for name, value in request.headers.items():
        if NUL in value:
            refuse(("header", name))
    for loc in _nul_paths(body, ("body",)):
        refuse(loc)
    return errors


def _strict_adapter(route: APIRoute) -> TypeAdapter[Any] | None:
    """A strict validator of the route's JSON body, when it has a single, unembedded one."""
    params = route.dependant.body_params
    if len(params) != 1 or route.body_field is None:
        return None
    field_info = params[0].field_info
    if getattr(field_info, "embed", False) or field_info.annotation is None:
        return None
    return TypeAdapter(field_info.annotation)


class EdgeRoute(APIRoute):
    """A route whose request is checked before FastAPI's own validation: NUL bytes in any
    string (422), and its JSON body validated strictly as JSON (422 for ``"60"`` where an
    integer is asked, ``"true"`` for a boolean); FastAPI's lax parse then runs on a body
    already known to be exact."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        adapter = _strict_adapter(self)

        async def edge_handler(request: Request) -> Response:
            raw = await request.body()
            body: Any = None
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None  # FastAPI answers the malformed JSON itself (422)
            errors = nul_errors(request, body)
            if errors:
                raise RequestValidationError(errors)
            if adapter is not None and body is not None:
                try:
                    adapter.validate_json(raw, strict=True)
                except ValidationError as exc:
                    raise RequestValidationError(
                        [
                            {**err, "loc": ("body", *err["loc"])}
                            for err in exc.errors(include_url=False)
                        ]
                    ) from None
            return await handler(request)

        return edge_handler
