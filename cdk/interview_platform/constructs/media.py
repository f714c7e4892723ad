"""The media pipeline (issue 5): S3 Object Created (raw/) -> EventBridge -> Step Functions, one
Lambda per step (the transcript stored by its own, beside the MP4 encode: issue 16), ffmpeg and
the offline speech engine as layers; and HR's media routes.

The definition is ``statemachines/media_pipeline.asl.json``; CDK fills in only function ARNs.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration, RemovalPolicy, Size
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from interview_platform import asl
from interview_platform.constants import BUILD_DIR, STATEMACHINES_DIR, secret_name
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions, built_asset
from interview_platform.constructs.routes import Routes
from interview_platform.nag import acknowledge_invocations
from interview_platform.refs import Foundation, allow_publish, allow_secret

FFMPEG_LAYER_DIR = BUILD_DIR / "layers" / "ffmpeg"
ASR_LAYER_DIR = BUILD_DIR / "layers" / "asr"
MEDIA_STAMP = BUILD_DIR / "layers" / "media.stamp"
DEFINITION = STATEMACHINES_DIR / "media_pipeline.asl.json"
OUTPUT_STATE_MACHINE_ARN = "MediaPipelineStateMachineArn"
OUTPUT_SWEEP_FUNCTION = "MediaSweepFunctionName"
# A short outage's pipelines are re-driven within a few minutes of it (shared/media/sweep.py).
SWEEP_EVERY = Duration.minutes(1)
RAW_PREFIX = "raw/"
ROUTE = "invitations/{invitation_id}/media"
_MODULE = "functions.media.{}.handler.handler"


@dataclass(frozen=True, slots=True)
class _Step:
    name: str  # also the ASL placeholder: ${<name>FunctionArn}
    module: str
    memory_mb: int
    timeout_s: int
    ffmpeg: bool = False
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    publishes: bool = False
    ephemeral_mb: int = 512


# The transcode Lambda covers a 60 s 720p answer on a busy 2-core machine with room to spare
# (ffmpeg gets its own, shorter, timeout so it ends with a reason); /tmp holds input + output.
STEPS = (
    _Step("Register", "register", 256, 30),
    _Step("Validate", "validate", 1024, 240, ffmpeg=True, reads=("raw/*",), ephemeral_mb=2048),
    _Step(
        "Transcode",
        "transcode",
        3008,
        840,
        ffmpeg=True,
        reads=("raw/*",),
        writes=("media/*",),
        ephemeral_mb=4096,
    ),
    _Step(
        "Thumbnail",
        "thumbnail",
        1024,
        240,
        ffmpeg=True,
        reads=("raw/*",),
        writes=("media/*",),
        ephemeral_mb=2048,
    ),
    # The whole transcript branch (issue 16): extracts the WAV from the upload (kept under tmp/),
    # transcribes it, stores the transcript and announces media.transcribed.
    _Step(
        "Transcribe",
        "transcribe",
        2048,
        840,
        ffmpeg=True,
        reads=("raw/*",),
        writes=("tmp/*",),
        ephemeral_mb=2048,
        publishes=True,
    ),
    # After the parallel state: the transcript is in the database already; nothing to read.
    _Step("Store", "store", 256, 30, publishes=True),
    _Step("MarkFailed", "mark_failed", 256, 30, publishes=True),
)


def state_machine_name(stage: str) -> str:
    return f"interview-platform-{stage}-media-pipeline"


class MediaPipeline(Construct):
    """Layers, step functions, state machine and trigger; and HR's two media routes."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        foundation: Foundation,
        functions: PlatformFunctions,
        routes: Routes,
    ) -> None:
        super().__init__(scope, id)
        media_bucket = foundation.media_bucket
        self.groq_secret_name = secret_name(foundation.stage, "groq")
        self.ffmpeg_layer = lambda_.LayerVersion(
            self,
            "FfmpegLayer",
            code=built_asset(FFMPEG_LAYER_DIR, MEDIA_STAMP),
            compatible_architectures=[lambda_.Architecture.X86_64],
            description="Static ffmpeg from the imageio-ffmpeg wheel, as /opt/bin/ffmpeg",
        )
        self.asr_layer = lambda_.LayerVersion(
            self,
            "SpeechLayer",
            code=built_asset(ASR_LAYER_DIR, MEDIA_STAMP, variant="asr"),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
            compatible_architectures=[lambda_.Architecture.X86_64],
            description="pocketsphinx with its en-us model: the offline transcriber",
        )
        self.steps: dict[str, lambda_.Function] = {}
        for step in STEPS:
            env = {"MEDIA_FFMPEG_TIMEOUT_S": str(step.timeout_s - 40)} if step.ffmpeg else {}
            if step.name == "Transcribe":
                env["GROQ_SECRET_NAME"] = self.groq_secret_name
                # Locally tests re-point the secret at the fake Groq between runs.
                env["GROQ_CACHE_S"] = "0" if foundation.local else "60"
            fn = functions.add(
                FunctionSpec(
                    f"Media{step.name}",
                    _MODULE.format(step.module),
                    memory_mb=step.memory_mb,
                    timeout_s=step.timeout_s,
                    environment=env,
                )
            )
            _ephemeral_storage(fn, step.ephemeral_mb)
            if step.ffmpeg:
                fn.add_layers(self.ffmpeg_layer)
            if step.name == "Transcribe":
                fn.add_layers(self.asr_layer)
                allow_secret(fn, foundation.groq_arn())
            for pattern in step.reads:
                media_bucket.grant_read(fn, pattern)
            for pattern in step.writes:
                media_bucket.grant_put(fn, pattern)
            if step.publishes:
                # Steps that write outbox rows and relay them publish on our bus.
                allow_publish(foundation, fn)
            self.steps[step.name] = fn

        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name(foundation.stage),
            definition_body=sfn.DefinitionBody.from_string(asl.render(DEFINITION)),
            definition_substitutions={
                f"{name}FunctionArn": fn.function_arn for name, fn in self.steps.items()
            },
            logs=sfn.LogOptions(
                destination=logs.LogGroup(
                    self,
                    "StateMachineLogs",
                    retention=logs.RetentionDays.ONE_MONTH,
                    removal_policy=RemovalPolicy.DESTROY,
                ),
                level=sfn.LogLevel.ERROR if foundation.local else sfn.LogLevel.ALL,
                include_execution_data=False,
            ),
            tracing_enabled=not foundation.local,
            timeout=Duration.hours(1),
        )
        for fn in self.steps.values():
            fn.grant_invoke(self.state_machine)
        acknowledge_invocations(self.state_machine, list(self.steps.values()))

        # S3 -> EventBridge (default bus) -> this state machine, for raw uploads only.
        self.rule = events.Rule(
            self,
            "RawUploadCreated",
            description="Start the media pipeline for every object created under raw/",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [media_bucket.bucket_name]},
                    "object": {"key": [{"prefix": RAW_PREFIX}]},
                },
            ),
            targets=[targets.SfnStateMachine(self.state_machine, retry_attempts=3)],
        )

        self.sweep = self._sweep(foundation, functions)

        # HR: an invitation's media, and erasing it. Both verify the caller's token themselves.
        self.read_media = functions.add_token_verifier(
            FunctionSpec("MediaInvitationMedia", _MODULE.format("invitation_media"), timeout_s=15)
        )
        # Presigned playback URLs are signed with this function's own rights: outputs only.
        media_bucket.grant_read(self.read_media, "media/*")
        routes.add(ROUTE, "GET", self.read_media)

        self.delete_media = functions.add_token_verifier(
            FunctionSpec(
                "MediaDeleteInvitationMedia",
                _MODULE.format("delete_invitation_media"),
                timeout_s=30,
            )
        )
        for pattern in ("raw/*", "media/*", "tmp/*"):
            media_bucket.grant_delete(self.delete_media, pattern)
        self.delete_media.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucketVersions", "s3:ListBucket"],
                resources=[media_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": ["raw/*", "media/*", "tmp/*"]}},
            )
        )
        routes.add(ROUTE, "DELETE", self.delete_media)

    def _sweep(self, foundation: Foundation, functions: PlatformFunctions) -> lambda_.Function:
        """Re-drives pipelines that ended without finishing their media, and starts those whose
        start was lost; Register lets only the execution the sweep named take an asset over."""
        sweep = functions.add(
            FunctionSpec(
                "MediaSweep",
                _MODULE.format("sweep"),
                timeout_s=60,
                environment={"MEDIA_STATE_MACHINE_ARN": self.state_machine.state_machine_arn},
            )
        )
        self.state_machine.grant_start_execution(sweep)
        sweep.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution"],
                resources=[
                    f"arn:{Aws.PARTITION}:states:{Aws.REGION}:{Aws.ACCOUNT_ID}:execution:"
                    f"{state_machine_name(foundation.stage)}:*"
                ],
            )
        )
        # HEAD of a raw object (its current version) for an upload no asset names.
        foundation.media_bucket.grant_read(sweep, "raw/*")
        allow_publish(foundation, sweep)  # media.failed for an asset given up on
        events.Rule(
            self,
            "SweepSchedule",
            description="Re-drive media pipelines that ended without finishing their media",
            schedule=events.Schedule.rate(SWEEP_EVERY),
            targets=[targets.LambdaFunction(sweep, retry_attempts=0)],
        )
        return sweep


def _ephemeral_storage(fn: lambda_.Function, size_mb: int) -> None:
    cfn = fn.node.default_child
    if not isinstance(cfn, lambda_.CfnFunction):
        raise TypeError("a function without its CloudFormation resource")
    cfn.ephemeral_storage = lambda_.CfnFunction.EphemeralStorageProperty(
        size=int(Size.mebibytes(size_mb).to_mebibytes())
    )
