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
