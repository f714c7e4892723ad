"""How every Lambda of the platform is built: a code asset per function, one dependencies layer
per stack."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from aws_cdk import AssetHashType, Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from interview_platform.constants import (
    BUILD_DIR,
    CODE_ASSET_DIR,
    DEPS_LAYER_DIR,
    METRICS_NAMESPACE,
    SERVICE_NAME,
    secret_name,
)
from interview_platform.refs import Foundation, allow_secret


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    handler: str
    memory_mb: int = 256
    timeout_s: int = 10
    environment: dict[str, str] = field(default_factory=dict)
    # Uses PostgreSQL: reads the database secret and, in AWS, runs in the database's network.
    database: bool = True


class PlatformFunctions(Construct):
    """Creates a stack's functions: the shared code asset and this stack's copy of the
    dependencies layer (one layer version per stack, so no stack imports another's layer ARN,
    which changes with every dependency update).

    Both are built by `layers/build.py` without Docker (python3.12, x86_64 manylinux wheels).
    """

    def __init__(self, scope: Construct, id: str, *, foundation: Foundation) -> None:
        super().__init__(scope, id)
        self._foundation = foundation
        self._code: dict[str, lambda_.Code] = {}
        self.deps_layer = lambda_.LayerVersion(
            self,
            "DepsLayer",
            code=built_asset(DEPS_LAYER_DIR, DEPS_LAYER_DIR.parent / "deps.stamp"),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
            compatible_architectures=[lambda_.Architecture.X86_64],
            description="Python dependencies of the platform (from uv.lock)",
        )
        self.all: dict[str, lambda_.Function] = {}

    def add(self, spec: FunctionSpec) -> lambda_.Function:
        f = self._foundation
        log_group = logs.LogGroup(
            self,
            f"{spec.name}Logs",
            retention=logs.RetentionDays.ONE_WEEK if f.local else logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        environment = {
            "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "POWERTOOLS_TRACE_DISABLED": "true" if f.local else "false",
            "PLATFORM_STAGE": f.stage,
            "PLATFORM_MEDIA_BUCKET": f.media_bucket.bucket_name,
            "PLATFORM_FRONTEND_ORIGIN": f.frontend_origin,
        }
        network = f.network if spec.database else None
        if spec.database:
            environment["DB_SECRET_ARN"] = f.db_secret.secret_arn
        if network is not None:
            # Through RDS Proxy (TLS required), not the cluster endpoint the secret names.
            environment["DB_PROXY_HOST"] = network.proxy_endpoint
            environment["DB_SSLMODE"] = "require"
        fn = lambda_.Function(
            self,
            spec.name,
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.X86_64,
            code=self._code_for(spec.handler),
            handler=spec.handler,
            layers=[self.deps_layer],
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            log_group=log_group,
            tracing=lambda_.Tracing.PASS_THROUGH if f.local else lambda_.Tracing.ACTIVE,
            environment={**environment, **spec.environment},
            vpc=network.vpc if network else None,
            vpc_subnets=network.subnets if network else None,
            security_groups=[network.security_group] if network else None,
        )
        if spec.database:
            f.db_secret.grant_read(fn)
        self.all[spec.name] = fn
        return fn

    def add_token_verifier(self, spec: FunctionSpec) -> lambda_.Function:
        """A function that verifies the caller's bearer token itself: the JWT key ring's name in
        its environment, and read access to it (never create or change)."""
        f = self._foundation
        key_ring = {"AUTH_KEY_SECRET_NAME": secret_name(f.stage, "jwt-signing-key")}
        fn = self.add(replace(spec, environment={**spec.environment, **key_ring}))
        allow_secret(fn, f.key_ring_arn())
        return fn

    def _code_for(self, handler: str) -> lambda_.Code:
        """The function's own code asset (functions.<context>.<use case>.handler.handler):
        its handler package and shared/, built by layers/build.py."""
        parts = handler.split(".")
        key = f"{parts[1]}.{parts[2]}"
        if key not in self._code:
            self._code[key] = built_asset(CODE_ASSET_DIR / key, BUILD_DIR / "code-stamps" / key)
        return self._code[key]


def built_asset(directory: Path, stamp: Path, variant: str = "") -> lambda_.Code:
    """An asset layers/build.py built, hashed by the digest it recorded: CDK then need not hash
    the directory (the dependencies layer is about 100 MB) at every synth, for every stack."""
    if not stamp.is_file():
        raise FileNotFoundError(f"{stamp} is missing: run `python layers/build.py` first")
    return lambda_.Code.from_asset(
        str(directory),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=stamp.read_text(encoding="utf-8").strip() + variant,
    )
