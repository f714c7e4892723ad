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

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
            assert errors, (method, path)
            for status, response in errors.items():
                if (method, path, status) == ("get", "/v1/health", "503"):
                    continue  # the health report itself, degraded
                assert list(response["content"]) == ["application/problem+json"], (path, status)
    assert "Problem" in document["components"]["schemas"]


def test_each_error_is_documented_where_it_can_happen_not_as_default() -> None:
    # Issue 13, finding 17: a client generator needs each operation's own answers.
    document = build_document()
    ops = document["paths"]

    assert all("default" not in op["responses"] for o in ops.values() for op in o.values())
    create = ops["/v1/templates"]["post"]["responses"]
    assert {"400", "401", "403", "409", "422", "429", "503"} <= set(create)
    assert {"401", "403", "404", "422"} <= set(
        ops["/v1/templates/{template_id}"]["get"]["responses"]
    )
    candidate = ops["/v1/candidate/interview"]["get"]["responses"]
    assert {"404", "410", "429", "503"} <= set(candidate)
    assert "401" in ops["/v1/auth/login"]["post"]["responses"]
    assert "Retry-After" in create["429"]["headers"]


def test_security_is_declared_and_the_link_token_is_no_optional_header() -> None:
    document = build_document()
    schemes = document["components"]["securitySchemes"]

    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["invitationToken"]["in"] == "header"
    assert schemes["invitationToken"]["name"] == "X-Invitation-Token"
    assert document["security"] == [{"bearerAuth": []}]
    for path, operations in document["paths"].items():
        for operation in operations.values():
            names = {p["name"].lower() for p in operation.get("parameters", [])}
            assert "x-invitation-token" not in names, path
            if path.startswith("/v1/candidate/interview"):
                assert operation["security"] == [{"invitationToken": []}]
    assert document["paths"]["/v1/auth/login"]["post"]["security"] == []
    # A candidate's account (issue 19) signs in: its invitations need the bearer token.
    assert "security" not in document["paths"]["/v1/candidate/invitations"]["get"]


def test_the_idempotency_key_is_documented_with_its_rule() -> None:
    document = build_document()
    params = document["paths"]["/v1/templates"]["post"]["parameters"]

    (key,) = [p for p in params if p["name"] == "Idempotency-Key"]
    assert key["in"] == "header"
    assert key["schema"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[!-~]{1,255}$",
    }


def test_checked_in_document_is_current() -> None:
    assert json.loads(DOCUMENT.read_text()) == build_document()
