"""How every Lambda of the platform is built: one code asset, one dependencies layer."""

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


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    handler: str
    memory_mb: int = 256
    timeout_s: int = 10
    environment: dict[str, str] = field(default_factory=dict)


class PlatformFunctions(Construct):
    """Creates functions that share the code asset and the dependencies layer.

    Both are built by `layers/build.py` without Docker (python3.12, x86_64 manylinux wheels).
    """

    def __init__(
        self, scope: Construct, id: str, *, stage: str, common_env: dict[str, str], local: bool
    ) -> None:
        super().__init__(scope, id)
        self._stage = stage
        self._local = local
        self._common_env = common_env
        self._code = lambda_.Code.from_asset(str(CODE_ASSET_DIR))
        self.deps_layer = lambda_.LayerVersion(
            self,
            "DepsLayer",
            code=lambda_.Code.from_asset(str(DEPS_LAYER_DIR)),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
            compatible_architectures=[lambda_.Architecture.X86_64],
            description="Python dependencies of the platform (from uv.lock)",
        )

    def add(self, spec: FunctionSpec) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            f"{spec.name}Logs",
            retention=logs.RetentionDays.ONE_WEEK if self._local else logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        return lambda_.Function(
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
            tracing=lambda_.Tracing.PASS_THROUGH if self._local else lambda_.Tracing.ACTIVE,
            environment={
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_TRACE_DISABLED": "true" if self._local else "false",
                "PLATFORM_STAGE": self._stage,
                **self._common_env,
                **spec.environment,
            },
        )
