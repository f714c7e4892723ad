"""The whole API's OpenAPI document covers every HTTP route and documents problem+json errors."""

from __future__ import annotations

import importlib
import json

from fastapi import FastAPI
from fastapi.routing import APIRoute

from scripts.openapi import DOCUMENT, build_document, handler_modules


def test_every_route_of_every_function_is_documented() -> None:
    document = build_document()
    routes = set()
    for module in handler_modules():
        app = getattr(importlib.import_module(module), "app", None)
        if isinstance(app, FastAPI):
            for route in app.routes:
                if isinstance(route, APIRoute) and route.include_in_schema:
                    routes |= {(route.path, method.lower()) for method in route.methods}

    documented = {(p, m) for p, ops in document["paths"].items() for m in ops}
    assert routes
    assert routes == documented


def test_errors_are_documented_as_problem_json() -> None:
    document = build_document()

    for operations in document["paths"].values():
        for operation in operations.values():
            default = operation["responses"]["default"]
            assert "application/problem+json" in default["content"]
    assert "Problem" in document["components"]["schemas"]


def test_checked_in_document_is_current() -> None:
    assert json.loads(DOCUMENT.read_text()) == build_document()
