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
    allowed: set[str] = set()
    for template, methods in paths.items():
        if _template_pattern(template).match(path):
            allowed |= {m.upper() for m in methods if m.lower() in _HTTP_METHODS}
    if allowed and method.upper() not in allowed:
        return RouteVerdict("method_not_allowed", tuple(sorted(allowed)))
    return RouteVerdict("not_found")
