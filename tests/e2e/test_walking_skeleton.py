"""The walking skeleton over real HTTP: API Gateway (REST) -> Lambda (host process) -> PG and S3."""

from __future__ import annotations

import json
import uuid

import httpx

from scripts import localenv
from scripts.openapi import DOCUMENT

PROBLEM = "application/problem+json"


def test_health_reports_postgres_and_s3_reachable(
    api: httpx.Client, outputs: dict[str, str]
) -> None:
    response = api.get("v1/health")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "ok"
    assert body["stage"] == localenv.STAGE
    assert body["checks"]["postgres"]["ok"] is True
    assert body["checks"]["s3"]["ok"] is True


def test_correlation_id_travels_through_the_gateway(api: httpx.Client) -> None:
    correlation_id = f"e2e-{uuid.uuid4()}"

    response = api.get("v1/health", headers={"X-Correlation-Id": correlation_id})

    assert response.headers["x-correlation-id"] == correlation_id


def test_unknown_route_is_404_problem_json(api: httpx.Client) -> None:
    response = api.get("v1/no-such-route")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert body["type"].endswith("/not-found")


def test_unknown_method_on_a_known_route_is_405_with_allow(api: httpx.Client) -> None:
    response = api.delete("v1/health")

    assert response.status_code == 405
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.headers["allow"] == "GET"
    assert response.json()["status"] == 405


def test_openapi_document_is_served(api: httpx.Client) -> None:
    response = api.get("v1/openapi.json")

    assert response.status_code == 200
    assert response.json() == json.loads(DOCUMENT.read_text())


def test_migrate_function_reaches_postgres_through_the_secret(
    lambda_client: object, outputs: dict[str, str]
) -> None:
    result = lambda_client.invoke(  # type: ignore[attr-defined]
        FunctionName=outputs["MigrateFunctionName"], Payload=b"{}"
    )

    assert "FunctionError" not in result, result["Payload"].read()
    # `make up` migrated already; the Lambda finds the same history and applies nothing.
    assert json.loads(result["Payload"].read()) == {"applied": []}


def test_paths_outside_v1_are_404_problem_json(api: httpx.Client) -> None:
    for path in ("", "nope", "v1", "v1/health/extra"):
        response = api.get(path)

        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith(PROBLEM), path
        assert response.json()["status"] == 404, path


def test_cors_preflight_is_answered_by_the_api_for_the_frontend_only(api: httpx.Client) -> None:
    # Given a browser on the frontend's origin about to POST a template
    preflight = {
        "Origin": localenv.web_origin(),
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization,idempotency-key",
    }
    # When it asks first (no resource has an OPTIONS method: the fallback answers)
    response = api.options("v1/templates", headers=preflight)
    # Then the API allows exactly that origin and the path's methods
    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-origin"] == localenv.web_origin()
    assert set(response.headers["access-control-allow-methods"].split(", ")) == {
        "GET",
        "POST",
        "OPTIONS",
    }
    assert "Idempotency-Key" in response.headers["access-control-allow-headers"]
    # and another origin gets no permission
    other = api.options("v1/templates", headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
