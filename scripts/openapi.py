"""Assemble the whole API's OpenAPI document from every use case's FastAPI app.

python -m scripts.openapi           write openapi.json
python -m scripts.openapi --check   fail if openapi.json is not what the code says
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from shared.http.problems import PROBLEM_MEDIA_TYPE, Problem

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "openapi.json"
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
BEARER = "bearerAuth"
SECURITY_SCHEMES: dict[str, Any] = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from POST /v1/auth/login or /v1/auth/refresh",
    },
    "invitationToken": {
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


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
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


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


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
        fragment = app.openapi()
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
    for operations in paths.values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = _problem_response("The request is not valid (field errors)")
            _document_problems(operation, responses)
            responses.setdefault("default", _problem_response("An error, as RFC 9457 problem+json"))
    webhooks = _webhooks(schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Interview platform API",
            "version": "1",
            "description": "AI video interview platform. Errors are RFC 9457 problem+json.",
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
