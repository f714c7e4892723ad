"""Unknown path is 404; known path with another method is 405 with the allowed methods."""

from __future__ import annotations

from shared.platform.routing import judge_route

PATHS = {
    "/v1/health": ["get"],
    "/v1/templates/{template_id}": ["get", "patch", "delete"],
    "/v1/templates": ["get", "post"],
}


def test_unknown_path_is_not_found() -> None:
    assert judge_route(PATHS, "GET", "/v1/nothing").outcome == "not_found"


def test_known_path_other_method_lists_allowed() -> None:
    verdict = judge_route(PATHS, "PUT", "/v1/templates/123")

    assert verdict.outcome == "method_not_allowed"
    assert verdict.allowed == ("DELETE", "GET", "PATCH")


def test_path_parameters_do_not_span_segments() -> None:
    assert judge_route(PATHS, "PUT", "/v1/templates/1/2").outcome == "not_found"


def test_trailing_slash_is_the_same_path() -> None:
    assert judge_route(PATHS, "POST", "/v1/health/").outcome == "method_not_allowed"


def test_preflight_from_the_frontend_lists_the_paths_methods_and_our_headers() -> None:
    from shared.platform.routing import preflight_headers

    headers = preflight_headers(
        PATHS, "/v1/templates/7", "http://localhost:5173", "http://localhost:5173"
    )

    assert headers is not None
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert headers["Access-Control-Allow-Methods"] == "DELETE, GET, PATCH, OPTIONS"
    assert "X-Invitation-Token" in headers["Access-Control-Allow-Headers"]
    assert headers["Vary"] == "Origin"


def test_no_preflight_for_another_origin_or_an_unknown_path() -> None:
    from shared.platform.routing import preflight_headers

    origin = "http://localhost:5173"
    assert preflight_headers(PATHS, "/v1/templates", "https://evil.example", origin) is None
    assert preflight_headers(PATHS, "/v1/nothing", origin, origin) is None
    assert preflight_headers(PATHS, "/v1/templates", "", origin) is None
