"""Which routes exist: answers 'no such route' (404) apart from 'no such method here' (405)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

_PARAM = re.compile(r"\{[^}/]+\}")
_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@dataclass(frozen=True, slots=True)
class RouteVerdict:
    outcome: Literal["not_found", "method_not_allowed"]
    allowed: tuple[str, ...] = ()


@lru_cache(maxsize=256)
def _template_pattern(template: str) -> re.Pattern[str]:
    parts = _PARAM.split(template)
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "/?$")


def judge_route(paths: Mapping[str, Iterable[str]], method: str, path: str) -> RouteVerdict:
    """`paths` maps OpenAPI path templates to their methods; the request matched none of them
    (otherwise it would not be here), so either the path is unknown or the method is."""
    allowed = allowed_methods(paths, path)
    if allowed and method.upper() not in allowed:
        return RouteVerdict("method_not_allowed", allowed)
    return RouteVerdict("not_found")


# What a browser on the frontend's origin may send (the candidate's link token included).
CORS_ALLOWED_HEADERS = (
    "Content-Type",
    "Authorization",
    "Idempotency-Key",
    "X-Correlation-Id",
    "X-Invitation-Token",
)
CORS_MAX_AGE_S = 600


def allowed_methods(paths: Mapping[str, Iterable[str]], path: str) -> tuple[str, ...]:
    """The methods the API serves at ``path`` (empty when no route has this path)."""
    allowed: set[str] = set()
    for template, methods in paths.items():
        if _template_pattern(template).match(path):
            allowed |= {m.upper() for m in methods if m.lower() in _HTTP_METHODS}
    return tuple(sorted(allowed))


def preflight_headers(
    paths: Mapping[str, Iterable[str]], path: str, origin: str, allowed_origin: str
) -> dict[str, str] | None:
    """The CORS preflight answer for ``path``, or None when the origin is not ours or no route
    has this path (the browser then refuses the request, as it should)."""
    methods = allowed_methods(paths, path)
    if not methods or not origin or origin != allowed_origin:
        return None
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": ", ".join((*methods, "OPTIONS")),
        "Access-Control-Allow-Headers": ", ".join(CORS_ALLOWED_HEADERS),
        "Access-Control-Max-Age": str(CORS_MAX_AGE_S),
        "Vary": "Origin",
    }
