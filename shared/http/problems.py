"""RFC 9457 problem details: the one error shape every route answers with."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.auth.errors import AuthenticationError, RateLimitedError
from shared.dal.outage import as_dependency_error
from shared.errors import DependencyUnavailable, DomainError
from shared.http.edge import apply_cors
from shared.observability import logger

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://problems.interview-platform.dev/"


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending field, e.g. body.email")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="URI naming the kind of problem")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    errors: list[FieldError] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body = Problem(
        type=PROBLEM_TYPE_BASE + (slug or phrase.lower().replace(" ", "-")),
        title=title or phrase,
        status=status,
        detail=detail,
        instance=instance,
        errors=errors,
    )
    # Extension members never replace a standard one (RFC 9457, section 3.2).
    content = {**(extensions or {}), **body.model_dump(exclude_none=True)}
    return JSONResponse(content, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


def _unavailable_response(request: Request, exc: DependencyUnavailable) -> JSONResponse:
    # The cause (host, port, libpq's text) goes to the log only.
    logger.warning(
        "dependency unavailable",
        extra={"path": request.url.path, "cause": repr(exc.__cause__)[:500]},
    )
    response = problem_response(
        503, exc.detail, slug=exc.type_slug, title=exc.title, instance=request.url.path
    )
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def install_problem_handlers(app: FastAPI) -> None:
    """Map every error the app can raise to problem+json; nothing else ever leaves."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.detail,
            slug=exc.type_slug,
            title=exc.title,
            instance=request.url.path,
            extensions=exc.extensions(),
        )

    @app.exception_handler(DependencyUnavailable)
    async def _unavailable(request: Request, exc: DependencyUnavailable) -> JSONResponse:
        return _unavailable_response(request, exc)

    @app.exception_handler(AuthenticationError)
    async def _unauthenticated(request: Request, exc: AuthenticationError) -> JSONResponse:
        response = problem_response(
            401, exc.detail, slug=exc.type_slug, title=exc.title, instance=request.url.path
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="interview-platform"'
        return response

    @app.exception_handler(RateLimitedError)
    async def _rate_limited(request: Request, exc: RateLimitedError) -> JSONResponse:
        response = problem_response(
            429, exc.detail, slug=exc.type_slug, title=exc.title, instance=request.url.path
        )
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(field=_field_path(err.get("loc", ())), message=str(err.get("msg", "")))
            for err in exc.errors()
        ]
        return problem_response(
            422,
            "The request is not valid; see errors.",
            slug="validation-failed",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404:
            detail = f"No route matches {request.method} {request.url.path}"
        return problem_response(exc.status_code, detail, instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A database outage that reached the edge without passing through transaction().
        if (outage := as_dependency_error(exc)) is not None:
            response = _unavailable_response(request, outage)
        else:
            # The stack trace goes to the log, never to the caller.
            logger.exception("unhandled error", extra={"path": request.url.path})
            response = problem_response(
                500, "An unexpected error occurred.", instance=request.url.path
            )
        # This answer leaves outside the app's middleware: it needs its CORS headers here.
        apply_cors(response, request.headers.get("origin"), request.app.state.frontend_origin)
        return response
