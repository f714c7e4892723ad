"""Assemble the whole API's OpenAPI document from every use case's FastAPI app.

python -m scripts.openapi           write openapi.json
python -m scripts.openapi --check   fail if openapi.json is not what the code says
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from shared.http.edge import (
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_KEY_MAX,
    IDEMPOTENCY_KEY_MIN,
    IDEMPOTENCY_KEY_PATTERN,
    IDEMPOTENCY_KEY_RULE,
)
from shared.http.problems import PROBLEM_MEDIA_TYPE, Problem

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "openapi.json"
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
BEARER = "bearerAuth"
LINK = "invitationToken"
LINK_HEADER = "X-Invitation-Token"
SECURITY_SCHEMES: dict[str, Any] = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from POST /v1/auth/login or /v1/auth/refresh",
    },
    LINK: {
        "type": "apiKey",
        "in": "header",
        "name": "X-Invitation-Token",
        "description": "The candidate's link token (from the invitation link), no account",
    },
}


def handler_modules() -> list[str]:
    modules = []
    for path in sorted((ROOT / "functions").rglob("handler.py")):
        modules.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return modules


def _problem_response(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if headers:
        response["headers"] = headers
    return response


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 0},
    }
}
_ERRORS: dict[int, dict[str, Any]] = {
    400: _problem_response(
        f"The body is not UTF-8 JSON text, or the {IDEMPOTENCY_HEADER} header is not "
        f"{IDEMPOTENCY_KEY_RULE}"
    ),
    401: _problem_response(
        "Not authenticated: no token, or an invalid or expired one",
        {"WWW-Authenticate": {"schema": {"type": "string"}}},
    ),
    403: _problem_response("Authenticated, but this caller may not do this"),
    404: _problem_response("No such resource for this caller (or no such link)"),
    409: _problem_response(
        f"The resource's state forbids this, or the {IDEMPOTENCY_HEADER} was used with another "
        "request"
    ),
    402: _problem_response(
        "A plan's limit is reached: the problem's `limit`, `usage` and `upgrade` members say "
        "which, how much is used, and the plans and checkout that lift it"
    ),
    410: _problem_response("The invitation link has expired, was cancelled or is finished"),
    422: _problem_response("The request is not valid (field errors)"),
    429: _problem_response("Too many requests (the stage's throttle or a limit)", _RETRY_AFTER),
    503: _problem_response("A dependency (the database) is unavailable", _RETRY_AFTER),
}
# Statuses a route can answer that the generic rules below do not derive (its logic raises them).
_EXTRA_ERRORS: dict[tuple[str, str], set[int]] = {
    ("post", "/v1/auth/login"): {401},
    ("post", "/v1/auth/refresh"): {401},
    ("post", "/v1/auth/register"): {409},
    ("post", "/v1/me/avatar/confirm"): {404},
    ("post", "/v1/me/role"): {409},
    # The body names a template, which may not exist for this company.
    ("post", "/v1/invitations/bulk"): {404},
    # The address is the account's already, or was taken before the link was followed.
    ("post", "/v1/me/email"): {409},
    ("post", "/v1/auth/confirm-email"): {409},
    # A token that names no subscription (tampered, or signed by another key).
    ("get", "/v1/notifications/unsubscribe"): {404},
    ("post", "/v1/notifications/unsubscribe"): {404},
    # A plan's limit at the point of use (shared/billing/public.py).
    ("post", "/v1/invitations"): {404, 402},
    ("post", "/v1/templates/{template_id}/publish"): {402},
    ("post", "/v1/companies"): {402},
    ("post", "/v1/companies/{company_id}/members"): {402},
    ("post", "/v1/candidate/interview/questions/{question_id}/uploads"): {402},
    ("post", "/v1/candidate/interview/questions/{question_id}/uploads/multipart"): {402},
    # Billing turned off (no Stripe keys), or a subscription that must be changed in the portal.
    ("post", "/v1/billing/checkout"): {409, 503},
    ("post", "/v1/billing/portal"): {409, 503},
}
# Operations that touch no dependency (the document is shipped with the code).
_STATIC = {("get", "/v1/openapi.json")}


def _error_statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """Where each error of the API can happen, from what the operation asks for."""
    security = operation.get("security")
    bearer = security is None or any(BEARER in s for s in security)
    link = security is not None and any(LINK in s for s in security)
    params = operation.get("parameters", [])
    statuses = {429}  # the stage throttles every operation
    if (method, path) not in _STATIC:
        statuses.add(503)
    if any(p["in"] == "header" and p["name"] == IDEMPOTENCY_HEADER for p in params):
        statuses |= {400, 409}
    if "requestBody" in operation:
        statuses.add(400)
    if params or "requestBody" in operation:
        statuses.add(422)
    if bearer:
        statuses |= {401, 403}
    if any(p["in"] == "path" for p in params):
        statuses.add(404)
    if link:
        # An unknown or tampered link is 404 (it names no invitation); an ended one is 410.
        statuses |= {404, 409, 410}
    if bearer and method != "get" and path.count("{"):
        statuses.add(409)
    return statuses | _EXTRA_ERRORS.get((method, path), set())


def _exact_parameters(operation: dict[str, Any]) -> None:
    """The Idempotency-Key's rule as the edge enforces it; the link token is a security scheme,
    not an optional header parameter."""
    kept = []
    for param in operation.get("parameters", []):
        if param["in"] == "header" and param["name"].lower() == LINK_HEADER.lower():
            continue
        if param["in"] == "header" and param["name"].lower() == IDEMPOTENCY_HEADER.lower():
            kept.append(_idempotency_parameter())
            continue
        kept.append(param)
    if kept:
        operation["parameters"] = kept
    else:
        operation.pop("parameters", None)


def _idempotency_parameter() -> dict[str, Any]:
    return {
        "name": IDEMPOTENCY_HEADER,
        "in": "header",
        "required": False,
        "description": (
            "Makes a retry of this creating request safe: the same key with the same "
            f"request answers the first answer again. {IDEMPOTENCY_KEY_RULE}."
        ),
        "schema": {
            "type": "string",
            "minLength": IDEMPOTENCY_KEY_MIN,
            "maxLength": IDEMPOTENCY_KEY_MAX,
            "pattern": IDEMPOTENCY_KEY_PATTERN,
        },
    }


def _webhooks(schemas: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.1 ``webhooks``: what a company's endpoint receives for each event type, the
    payload as the event catalogue defines it (version 1), signed by Standard Webhooks."""
    from shared.events.catalogue import payload_model  # noqa: PLC0415
    from shared.notifications.webhook_models import PING  # noqa: PLC0415
    from shared.notifications.webhooks import EVENT_TYPES  # noqa: PLC0415

    headers = [
        {
            "name": name,
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": text,
        }
        for name, text in (
            ("webhook-id", "The delivery's id: the same on every retry (deduplicate on it)"),
            ("webhook-timestamp", "Unix seconds when this attempt was signed"),
            (
                "webhook-signature",
                "Space-separated `v1,<base64 HMAC-SHA256 of"
                " id.timestamp.body>`: two during a secret rotation's overlap",
            ),
        )
    ]
    hooks: dict[str, Any] = {}
    for event_type in (*EVENT_TYPES, PING):
        if event_type == PING:
            data: dict[str, Any] = {"type": "object", "maxProperties": 0}
        else:
            # Event payload schemas are prefixed: their names must not meet the API's models.
            model = payload_model(event_type)
            data = model.model_json_schema(
                by_alias=True, ref_template="#/components/schemas/Event{model}"
            )
            schemas.update({f"Event{k}": v for k, v in data.pop("$defs", {}).items()})
            schemas[f"Event{model.__name__}"] = data
            data = {"$ref": f"#/components/schemas/Event{model.__name__}"}
        hooks[event_type] = {
            "post": {
                "summary": f"{event_type} (version 1)",
                "parameters": headers,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["type", "timestamp", "version", "data"],
                                "properties": {
                                    "type": {"const": event_type},
                                    "timestamp": {"type": "string", "format": "date-time"},
                                    "version": {"type": "integer", "minimum": 1},
                                    "data": data,
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received (only 2xx counts as delivered)"},
                    "410": {"description": "Gone: the endpoint is disabled, nothing more is sent"},
                },
            }
        }
    return hooks


def _document_problems(operation: dict[str, Any], responses: dict[str, Any]) -> None:
    """Error answers a route declares (``responses=``) are problem+json; answers every
    operation of a kind gives are added here, where the rule that gives them lives:
    403 for every bearer operation (a suspended account, a role that may not, or an HR
    caller's deactivated company refusing a change: shared/identity/public.py), 410 for every
    link-token operation (an expired, cancelled, or deactivated company's pending link)."""
    for code, response in list(responses.items()):
        if code.isdigit() and int(code) >= 400 and code != "422":
            responses[code] = _problem_response(response.get("description", "An error"))
            if code == "429":
                responses[code]["headers"] = _RETRY_AFTER
    security = operation.get("security")
    schemes = {name for item in security for name in item} if security is not None else {BEARER}
    if BEARER in schemes:
        responses.setdefault(
            "403",
            _problem_response(
                "Forbidden: a suspended account, a role that may not do this, or (type"
                " company-deactivated) a change while the caller's company is deactivated"
            ),
        )
    if "invitationToken" in schemes:
        responses.setdefault(
            "410",
            _problem_response(
                "The link is dead (expired or cancelled invitation), or the invitation is"
                " pending and its company is deactivated"
            ),
        )


def build_document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for module_name in handler_modules():
        app = getattr(importlib.import_module(module_name), "app", None)
        if not isinstance(app, FastAPI):
            continue  # not an HTTP use case (a consumer, a step, the migrator)
        # A copy: FastAPI caches its document, and the rules below edit what they get.
        fragment = copy.deepcopy(app.openapi())
        for path, operations in fragment.get("paths", {}).items():
            if path in paths and set(paths[path]) & set(operations):
                raise SystemExit(f"{module_name}: {path} is already served by another function")
            paths.setdefault(path, {}).update(operations)
        schemas.update(fragment.get("components", {}).get("schemas", {}))
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    for path, operations in paths.items():
        for method, operation in operations.items():
            _exact_parameters(operation)
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's own shape; ours is a problem
            # A route's declared errors as problem+json, 403/410 where every operation of a
            # kind can give them (identity's rules), then every error the rules derive.
            _document_problems(operation, responses)
            for status in sorted(_error_statuses(method, path, operation)):
                # A route's own documented answer (health's 503 report) stays.
                responses.setdefault(str(status), _ERRORS[status])
            operation["responses"] = dict(sorted(responses.items()))
    webhooks = _webhooks(schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Interview platform API",
            "version": "1",
            "description": (
                "AI video interview platform. Errors are RFC 9457 problem+json, each documented "
                "on the operations where it can happen; a 500 is never a documented answer. "
                "Every answer carries Access-Control-Allow-Origin for the frontend's origin "
                "only. JSON bodies are parsed strictly (no string for an integer or a boolean); "
                "a NUL character in any string is refused with 422."
            ),
        },
        # Every operation needs a bearer token unless it says otherwise (shared/http/app.py:
        # PUBLIC for anonymous operations, LINK_TOKEN for the candidate's).
        "security": [{BEARER: []}],
        "paths": dict(sorted(paths.items())),
        "webhooks": webhooks,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def render() -> str:
    return json.dumps(build_document(), indent=2, sort_keys=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if openapi.json is stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
        if current != text:
            sys.exit("openapi.json is stale: run `make openapi` and commit the result")
        print("openapi.json is up to date")
        return
    DOCUMENT.write_text(text, encoding="utf-8")
    print(f"wrote {DOCUMENT.relative_to(ROOT)} ({len(text)} bytes)")


if __name__ == "__main__":
    main()
