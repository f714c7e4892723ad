"""How every Lambda of the platform is built: one code asset, one dependencies layer per stack."""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from interview_platform.constants import (
    CODE_ASSET_DIR,
    DEPS_LAYER_DIR,
    METRICS_NAMESPACE,
    SERVICE_NAME,
)
from interview_platform.refs import Foundation


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
        self._code = lambda_.Code.from_asset(str(CODE_ASSET_DIR))
        self.deps_layer = lambda_.LayerVersion(
            self,
            "DepsLayer",
            code=lambda_.Code.from_asset(str(DEPS_LAYER_DIR)),
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
            code=self._code,
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
