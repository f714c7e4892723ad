"""A context's routes on the one REST API, added from the context's own stack.

The REST API itself lives in the Api stack; a context imports it (``fromRestApiAttributes``) and
hangs its resources under ``/v1`` (or under a resource another context exports). Per resource
there is one ``ANY`` method to the API's fallback function, which answers CORS preflights and
404/405 problem documents, instead of an ``OPTIONS`` mock plus an ``ANY`` (one resource less for
every path). Per function there is one invoke permission for the whole API, instead of two per
method (what ``LambdaIntegration`` adds).

Which operations sit behind the token authorizer is not decided here: the OpenAPI document, which
the handlers' code generates, says which operations need a bearer token, and every method gets
exactly that (see :func:`needs_bearer`). A route the document does not know is refused at synth.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from aws_cdk import Aws
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from interview_platform.constants import API_VERSION_PREFIX, REPO_ROOT
from interview_platform.nag import acknowledge

OPENAPI_DOCUMENT = REPO_ROOT / "openapi.json"
BEARER_SCHEME = "bearerAuth"


@lru_cache(maxsize=1)
def _operations() -> dict[tuple[str, str], bool]:
    """(path, METHOD) -> whether the operation needs a bearer token, from openapi.json."""
    document = json.loads(OPENAPI_DOCUMENT.read_text(encoding="utf-8"))
    default = document.get("security", [])
    found: dict[tuple[str, str], bool] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            security = operation.get("security", default)
            found[(path, method.upper())] = any(BEARER_SCHEME in entry for entry in security)
    return found


def needs_bearer(path: str, method: str) -> bool:
    try:
        return _operations()[(path, method.upper())]
    except KeyError:
        raise ValueError(
            f"{method} {path} is not in openapi.json: run `make openapi` after adding a route"
        ) from None


@dataclass(frozen=True, slots=True)
class ApiRefs:
    """The REST API as a context's stack sees it (tokens imported from the Api stack)."""

    rest_api_id: str
    root_resource_id: str
    v1_resource_id: str
    fallback_function_arn: str
    # None locally: LocalStack's community API Gateway does not run Lambda authorizers.
    authorizer_id: str | None


@dataclass(frozen=True, slots=True)
class RouteRecord:
    path: str
    method: str
    target: str  # the function's construct path
    authorized: bool


@dataclass(slots=True)
class RouteRegistry:
    """Every method of every stack, for the deployment's logical id: any route change makes a
    new deployment, so the API never serves a stale copy of its routes."""

    records: list[RouteRecord] = field(default_factory=list)

    def signature(self) -> list[str]:
        return sorted(
            f"{r.method} {r.path} -> {r.target}{' [authorizer]' if r.authorized else ''}"
            for r in self.records
        )


def proxy_integration(function_arn: str) -> apigw.Integration:
    """A Lambda proxy integration without LambdaIntegration's per-method permissions."""
    return apigw.Integration(
        type=apigw.IntegrationType.AWS_PROXY,
        integration_http_method="POST",
        uri=(
            f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/2015-03-31/functions/"
            f"{function_arn}/invocations"
        ),
    )


def allow_api_invoke(fn: lambda_.IFunction, rest_api: apigw.IRestApi) -> None:
    """One invoke permission per function, for any method and stage of this API."""
    fn.add_permission(
        "InvokedByApi",
        principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
        source_arn=rest_api.arn_for_execute_api(),
    )


class Routes(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        api: ApiRefs,
        registry: RouteRegistry,
        mounts: Mapping[str, str] | None = None,
        rest_api: apigw.IRestApi | None = None,
        snap_start: bool = False,
    ) -> None:
        """``mounts`` maps a full path (``/v1/invitations/{invitation_id}``) to the id of a
        resource another stack created; ``rest_api`` is given by the stack that owns the API."""
        super().__init__(scope, id)
        self._api = api
        self._registry = registry
        self.rest_api = rest_api or apigw.RestApi.from_rest_api_attributes(
            self,
            "RestApi",
            rest_api_id=api.rest_api_id,
            root_resource_id=api.root_resource_id,
        )
        self._resources: dict[str, apigw.IResource] = {"": self.rest_api.root}
        for path, resource_id in {
            f"/{API_VERSION_PREFIX}": api.v1_resource_id,
            **(mounts or {}),
        }.items():
            self._resources[path] = apigw.Resource.from_resource_attributes(
                self,
                "Mount" + _logical(path),
                resource_id=resource_id,
                rest_api=self.rest_api,
                path=path,
            )
        self.fallback = proxy_integration(api.fallback_function_arn)
        self._snap_start = snap_start
        self._targets: dict[str, lambda_.IFunction] = {}

    def resource(self, path: str) -> apigw.IResource:
        """The resource at ``path`` (relative paths are under /v1), created with its fallback
        method where missing."""
        full = _full(path)
        if full in self._resources:
            return self._resources[full]
        parent_path, _, part = full.rpartition("/")
        parent = self.resource(parent_path) if parent_path else self._resources[""]
        child = apigw.Resource(self, "Resource" + _logical(full), parent=parent, path_part=part)
        fallback = child.add_method("ANY", self.fallback)
        acknowledge(
            fallback,
            "AwsSolutions-APIG4",
            "The fallback answers CORS preflights and 404/405 problem documents; it reads nothing",
        )
        self._registry.records.append(RouteRecord(full, "ANY", "fallback", False))
        self._resources[full] = child
        return child

    def add(self, path: str, method: str, fn: lambda_.IFunction) -> apigw.Method:
        """``fn`` at ``path`` for ``method``; behind the token authorizer where the OpenAPI
        document asks for a bearer token (and an authorizer exists)."""
        full = _full(path)
        authorized = needs_bearer(full, method) and self._api.authorizer_id is not None
        target = self._target(fn)
        route = self.resource(full).add_method(method, proxy_integration(target.function_arn))
        if not needs_bearer(full, method):
            acknowledge(
                route,
                "AwsSolutions-APIG4",
                "Public by contract (openapi.json): sign-up, sign-in, health, the JWKS, or the "
                "candidate's link token, which the function verifies",
            )
        if authorized:
            cfn = route.node.default_child
            if not isinstance(cfn, apigw.CfnMethod):
                raise TypeError("an API method without its CloudFormation resource")
            cfn.authorization_type = "CUSTOM"
            cfn.authorizer_id = self._api.authorizer_id
        self._registry.records.append(RouteRecord(full, method, fn.node.path, authorized))
        return route

    def _target(self, fn: lambda_.IFunction) -> lambda_.IFunction:
        """What the API invokes for ``fn`` (once per function: its invoke permission too)."""
        if fn.node.path in self._targets:
            return self._targets[fn.node.path]
        target: lambda_.IFunction = fn
        if self._snap_start and isinstance(fn, lambda_.Function):
            cfn = fn.node.default_child
            if not isinstance(cfn, lambda_.CfnFunction):
                raise TypeError("a function without its CloudFormation resource")
            # Init (imports, settings, the app) is snapshotted; pools and clients are created
            # on first use, after restore.
            cfn.snap_start = lambda_.CfnFunction.SnapStartProperty(apply_on="PublishedVersions")
            target = lambda_.Alias(fn, "Live", alias_name="live", version=fn.current_version)
        allow_api_invoke(target, self.rest_api)
        self._targets[fn.node.path] = target
        return target

    def resource_id(self, path: str) -> str:
        return self.resource(path).resource_id


def _full(path: str) -> str:
    if path.startswith("/"):
        return path.rstrip("/")
    return f"/{API_VERSION_PREFIX}/{path.strip('/')}"


def _logical(path: str) -> str:
    return "".join(ch for ch in path.title().replace("{", "By").replace("_", "") if ch.isalnum())
