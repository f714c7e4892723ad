"""The platform's stacks: a foundation, the API, one stack per bounded context, and the API's
deployment. All top-level (LocalStack cannot update nested stacks), each far below
CloudFormation's 500 resources, and tied together only by the fixed exports of refs.py.

    Foundation      media bucket, event bus, the database (its secret locally; VPC, Aurora
                    Serverless v2 and RDS Proxy in AWS), migrations, the outbox relay, the audit log
    Api             the REST API, gateway responses, the fallback (404/405, CORS preflight), the
                    token authorizer, health and the OpenAPI document
    Identity        sign-up, sign-in, tokens, profiles, companies, administration, the JWKS
    Interviews      HR: templates, questions, invitations, reviews and decisions
    Candidate       the candidate's flow by link token, and the interviews sweep; data rights
                    (export, erasure, retention and its sweep, the admins' audit log)
    Media           the media pipeline (S3 -> EventBridge -> Step Functions) and HR's media routes
    Analysis        the analysis trigger, its workflow and sweep, and HR's analysis routes
    Notifications   email to candidates and HR (consumer, reminders and retries), preferences,
                    unsubscribe and the delivery log
    Reports         the candidate's PDF, CSV exports and the funnel (consumer and HR's routes)
    Billing         plans, usage and limits, Stripe Checkout, the Customer Portal, Stripe's
                    webhook and the dunning sweep
    Skills          the skills taxonomy (admins write, anyone signed in reads) and candidates'
                    own skills (identity's code; its own stack keeps Identity's under 200
                    resources; paths outside /v1/admin and /v1/me, which are Identity's)
    ApiDeployment   the API's deployment and stage, after every route of every stack

A new context adds a stack here (a class and a line in ``build``), its routes through
``Routes``, and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import CfnOutput, Duration, Fn, RemovalPolicy, Stack, triggers
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from interview_platform import constants as c
from interview_platform.config import StackConfig
from interview_platform.constructs.analysis import Analysis
from interview_platform.constructs.api import Api, api_url
from interview_platform.constructs.billing import Billing
from interview_platform.constructs.candidate import CandidateFlow
from interview_platform.constructs.data import Data
from interview_platform.constructs.database import Database
from interview_platform.constructs.events import (
    OUTPUT_AUDIT_DLQ_URL,
    OUTPUT_AUDIT_QUEUE_URL,
    OUTPUT_OUTBOX_RELAY_FUNCTION,
    Consumer,
    consumer_timeouts_s,
    detail_type_prefixes,
)
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.identity import Identity, identity_env
from interview_platform.constructs.interviews import INVITATION_RESOURCE, Interviews
from interview_platform.constructs.media import (
    OUTPUT_STATE_MACHINE_ARN,
    OUTPUT_SWEEP_FUNCTION,
    MediaPipeline,
)
from interview_platform.constructs.notifications import Notifications
from interview_platform.constructs.privacy import OUTPUT_SWEEP_FUNCTION as PRIVACY_SWEEP_FUNCTION
from interview_platform.constructs.privacy import DataRights
from interview_platform.constructs.reports import Reports
from interview_platform.constructs.routes import ApiRefs, RouteRegistry, Routes
from interview_platform.constructs.skills import Skills
from interview_platform.constructs.storage import Storage
from interview_platform.constructs.web import WebContent, WebHosting
from interview_platform.nag import acknowledge, acknowledge_platform, add_checks
from interview_platform.refs import (
    APP_KEY,
    FUNCTION_AZS,
    Export,
    Foundation,
    Network,
    allow_publish,
    allow_secret,
    export,
    import_foundation,
    imported,
)

_PLATFORM = "functions.platform.{}.handler.handler"


class FoundationStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: StackConfig, **kw: Any) -> None:
        super().__init__(scope, id, description="Interview platform: storage, events, data", **kw)
        stage = config.stage
        storage = Storage(self, "Storage", local=config.local)
        web = WebHosting(
            self, "Web", stage=stage, local=config.local, access_logs=storage.access_logs
        )
        # In AWS without `frontendOrigin` the origin is the distribution's (made here, exported
        # for the other stacks, which import it through `config.frontend_origin`).
        origin = web.url if config.origin_is_distribution else config.frontend_origin
        storage.allow_browser_origin(origin)
        export(self, stage, Export.WEB_BUCKET_NAME, web.bucket.bucket_name)
        if web.distribution is not None:
            export(self, stage, Export.WEB_DISTRIBUTION_ID, web.distribution.distribution_id)
            export(self, stage, Export.WEB_ORIGIN, web.url)
        CfnOutput(self, c.OUTPUT_WEB_URL, value=f"{origin}/")
        bus = events.EventBus(self, "Bus", event_bus_name=f"interview-platform-{stage}")
        network: Network | None = None
        secret: secretsmanager.ISecret
        database: Database | None = None
        if config.own_database:
            database = Database(
                self,
                "Database",
                stage=stage,
                min_acu=config.db_min_acu,
                max_acu=config.db_max_acu,
            )
            secret = database.secret
            network = Network(
                vpc=database.vpc,
                subnets=database.function_subnets,
                security_group=database.function_security_group,
                proxy_endpoint=database.proxy.endpoint,
            )
        else:
            secret = Data(
                self,
                "Data",
                local=config.local,
                secret_arn=config.db_secret_arn,
                local_db_host=config.local_db_host,
                local_db_name=config.local_db_name,
                local_db_port=config.local_db_port,
            ).secret
        self.foundation = Foundation(
            stage=stage,
            local=config.local,
            frontend_origin=origin,
            media_bucket=storage.media_bucket,
            bus=bus,
            db_secret=secret,
            network=network,
        )
        functions = PlatformFunctions(self, "FoundationFunctions", foundation=self.foundation)

        migrate = functions.add(FunctionSpec("Migrate", _PLATFORM.format("migrate"), timeout_s=300))
        if database is not None:
            # Every deploy ends with a migrated database: the trigger runs the migrator once
            # the database and its proxy exist, and again whenever the code (and so the
            # migrations it carries) changes. Locally `make up` migrates before deploying.
            triggers.Trigger(
                self,
                "MigrateOnDeploy",
                handler=migrate,
                execute_after=[database.cluster, database.proxy],
                execute_on_handler_change=True,
                timeout=Duration.minutes(5),
            )

        # The outbox sweep, on a schedule (the default bus carries schedules).
        outbox_relay = functions.add(
            FunctionSpec("OutboxRelay", _PLATFORM.format("outbox_relay"), timeout_s=60)
        )
        allow_publish(self.foundation, outbox_relay)
        events.Rule(
            self,
            "OutboxRelaySchedule",
            description="Publish outbox rows the producers' own relay left behind",
            schedule=events.Schedule.rate(Duration.minutes(1)),
            targets=[targets.LambdaFunction(outbox_relay, retry_attempts=0)],
        )
        consumer_timeout_s, visibility_timeout_s = consumer_timeouts_s(config.local)
        audit_consumer = functions.add(
            FunctionSpec(
                "AuditConsumer",
                _PLATFORM.format("audit_consumer"),
                timeout_s=consumer_timeout_s,
            )
        )
        audit = Consumer(
            self,
            "AuditLog",
            bus=bus,
            function=audit_consumer,
            pattern=detail_type_prefixes("user.", "company."),
            visibility_timeout=Duration.seconds(visibility_timeout_s),
            local=config.local,
        )

        # The app key (shared/appkey.py): random material each purpose derives its key from.
        app_key = secretsmanager.Secret(
            self,
            "AppKey",
            secret_name=c.secret_name(stage, APP_KEY),
            description="Key material for sealed invitation links and unsubscribe tokens",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=RemovalPolicy.DESTROY if config.local else RemovalPolicy.RETAIN,
        )
        acknowledge(
            app_key,
            "AwsSolutions-SMG4",
            "Random key material: rotating it would break every sealed link and unsubscribe"
            " token already sent",
        )

        export(self, stage, Export.MEDIA_BUCKET_NAME, storage.media_bucket.bucket_name)
        export(self, stage, Export.MEDIA_BUCKET_ARN, storage.media_bucket.bucket_arn)
        export(self, stage, Export.EVENT_BUS_NAME, bus.event_bus_name)
        export(self, stage, Export.EVENT_BUS_ARN, bus.event_bus_arn)
        export(self, stage, Export.DB_SECRET_ARN, secret.secret_arn)
        if database is not None:
            export(self, stage, Export.VPC_ID, database.vpc.vpc_id)
            if len(database.function_subnet_ids) != FUNCTION_AZS:
                raise ValueError(f"functions need one private subnet in each of {FUNCTION_AZS} AZs")
            export(
                self, stage, Export.FUNCTION_SUBNET_IDS, Fn.join(",", database.function_subnet_ids)
            )
            export(
                self,
                stage,
                Export.FUNCTION_SECURITY_GROUP_ID,
                database.function_security_group.security_group_id,
            )
            export(self, stage, Export.DB_PROXY_ENDPOINT, database.proxy.endpoint)
        CfnOutput(self, OUTPUT_AUDIT_QUEUE_URL, value=audit.queue.queue_url)
        CfnOutput(self, OUTPUT_AUDIT_DLQ_URL, value=audit.dlq.queue_url)
        CfnOutput(self, OUTPUT_OUTBOX_RELAY_FUNCTION, value=outbox_relay.function_name)
        CfnOutput(self, c.OUTPUT_MIGRATE_FUNCTION, value=migrate.function_name)


class ContextStack(Stack):
    """A stack of one bounded context: the foundation imported, its own functions, its routes
    on the shared API."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StackConfig,
        registry: RouteRegistry,
        description: str,
        mounts: Mapping[str, Export] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(scope, id, description=description, **kw)
        self.foundation = import_foundation(self, config)
        self.functions = PlatformFunctions(
            self,
            f"{type(self).__name__.removesuffix('Stack')}Functions",
            foundation=self.foundation,
        )
        self.routes = Routes(
            self,
            "Routes",
            api=imported_api(config),
            registry=registry,
            mounts={path: imported(config.stage, key) for path, key in (mounts or {}).items()},
            snap_start=config.snap_start,
        )


def imported_api(config: StackConfig) -> ApiRefs:
    return ApiRefs(
        rest_api_id=imported(config.stage, Export.REST_API_ID),
        root_resource_id=imported(config.stage, Export.REST_API_ROOT_ID),
        v1_resource_id=imported(config.stage, Export.API_V1_ID),
        fallback_function_arn=imported(config.stage, Export.FALLBACK_FUNCTION_ARN),
        authorizer_id=None if config.local else imported(config.stage, Export.TOKEN_AUTHORIZER_ID),
    )


class ApiStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StackConfig,
        registry: RouteRegistry,
        **kw: Any,
    ) -> None:
        super().__init__(scope, id, description="Interview platform: the REST API", **kw)
        stage = config.stage
        foundation = import_foundation(self, config)
        functions = PlatformFunctions(self, "ApiFunctions", foundation=foundation)
        not_found = functions.add(
            FunctionSpec("NotFound", _PLATFORM.format("not_found"), database=False)
        )
        api = Api(
            self,
            "Api",
            stage=stage,
            fallback=not_found,
            local=config.local,
            frontend_origin=config.frontend_origin,
        )
        # The authorizer verifies tokens with the key ring (it never touches the database).
        authorizer_fn = functions.add(
            FunctionSpec(
                "IdentityAuthorizer",
                "functions.identity.authorizer.handler.handler",
                environment=identity_env(foundation),
                database=False,
            )
        )
        allow_secret(authorizer_fn, foundation.key_ring_arn())
        authorizer = None if config.local else api.add_token_authorizer(stage, authorizer_fn)
        refs = ApiRefs(
            rest_api_id=api.rest_api.rest_api_id,
            root_resource_id=api.rest_api.rest_api_root_resource_id,
            v1_resource_id=api.v1.resource_id,
            fallback_function_arn=not_found.function_arn,
            authorizer_id=authorizer.ref if authorizer else None,
        )
        routes = Routes(
            self,
            "Routes",
            api=refs,
            registry=registry,
            rest_api=api.rest_api,
            snap_start=config.snap_start,
        )
        health = functions.add(FunctionSpec("Health", _PLATFORM.format("health"), timeout_s=15))
        # Health asks S3 whether the bucket answers (HeadBucket): that needs s3:ListBucket on
        # the bucket, and no object of it (grant_read would let it read every video).
        health.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"], resources=[foundation.media_bucket.bucket_arn]
            )
        )
        routes.add("health", "GET", health)
        openapi = functions.add(
            FunctionSpec("OpenApi", _PLATFORM.format("openapi"), database=False)
        )
        routes.add("openapi.json", "GET", openapi)

        export(self, stage, Export.REST_API_ID, api.rest_api.rest_api_id)
        export(self, stage, Export.REST_API_ROOT_ID, api.rest_api.rest_api_root_resource_id)
        export(self, stage, Export.API_V1_ID, api.v1.resource_id)
        export(self, stage, Export.FALLBACK_FUNCTION_ARN, not_found.function_arn)
        if authorizer is not None:
            export(self, stage, Export.TOKEN_AUTHORIZER_ID, authorizer.ref)
        CfnOutput(self, c.OUTPUT_HEALTH_FUNCTION, value=health.function_name)
        CfnOutput(self, "IdentityAuthorizerFunctionName", value=authorizer_fn.function_name)


class IdentityStack(ContextStack):
    def __init__(self, scope: Construct, id: str, **kw: Any) -> None:
        super().__init__(scope, id, description="Interview platform: identity and access", **kw)
        identity = Identity(
            self,
            "Identity",
            foundation=self.foundation,
            functions=self.functions,
            routes=self.routes,
        )
        CfnOutput(self, "IdentityKeySecretName", value=identity.key_secret_name)
        CfnOutput(self, "IdentityRotateKeyFunctionName", value=identity.rotate_key.function_name)


class InterviewsStack(ContextStack):
    def __init__(self, scope: Construct, id: str, *, config: StackConfig, **kw: Any) -> None:
        super().__init__(
            scope, id, config=config, description="Interview platform: interviews (HR)", **kw
        )
        Interviews(
            self,
            "InterviewsHr",
            foundation=self.foundation,
            functions=self.functions,
            routes=self.routes,
        )
        export(
            self,
            config.stage,
            Export.INVITATION_RESOURCE_ID,
            self.routes.resource_id(INVITATION_RESOURCE),
        )


class CandidateStack(ContextStack):
    def __init__(self, scope: Construct, id: str, **kw: Any) -> None:
        super().__init__(
            scope,
            id,
            description="Interview platform: the candidate's flow and data rights",
            **kw,
        )
        flow = CandidateFlow(
            self,
            "CandidateFlow",
            foundation=self.foundation,
            functions=self.functions,
            routes=self.routes,
        )
        CfnOutput(self, "InterviewsSweepFunctionName", value=flow.sweep.function_name)
        rights = DataRights(
            self,
            "DataRights",
            foundation=self.foundation,
            functions=self.functions,
            routes=self.routes,
        )
        CfnOutput(self, PRIVACY_SWEEP_FUNCTION, value=rights.sweep.function_name)


_INVITATION_MOUNT = {"/v1/" + INVITATION_RESOURCE: Export.INVITATION_RESOURCE_ID}


class MediaStack(ContextStack):
    def __init__(self, scope: Construct, id: str, **kw: Any) -> None:
        super().__init__(
            scope,
            id,
            description="Interview platform: the media pipeline",
            mounts=_INVITATION_MOUNT,
            **kw,
        )
        media = MediaPipeline(
            self,
            "Media",
            foundation=self.foundation,
            functions=self.functions,
            routes=self.routes,
        )
        CfnOutput(self, OUTPUT_STATE_MACHINE_ARN, value=media.state_machine.state_machine_arn)
        CfnOutput(self, OUTPUT_SWEEP_FUNCTION, value=media.sweep.function_name)


class AnalysisStack(ContextStack):
    def __init__(self, scope: Construct, id: str, **kw: Any) -> None:
        super().__init__(
            scope,
            id,
            description="Interview platform: the AI analysis",
            mounts=_INVITATION_MOUNT,
            **kw,
        )
        Analysis(
            self,
            "Analysis",
            foundation=self.foundation,
            functions=self.functions,
            routes=self.routes,
        )


class NotificationsStack(ContextStack):
    def __init__(self, scope: Construct, id: str, *, config: StackConfig, **kw: Any) -> None:
        super().__init__(
            scope, id, config=config, description="Interview platform: email notifications", **kw
        )
        Notifications(
            self,
            "Notifications",
            foundation=self.foundation,
            functions=self.functions,
            routes=self.routes,
            sender=config.sender_email,
            api_url=api_url(
                imported(config.stage, Export.REST_API_ID),
                config.stage,
                config.local_endpoint if config.local else None,
            ),
        )


class ReportsStack(ContextStack):
    def __init__(self, scope: Construct, id: str, **kw: Any) -> None:
        super().__init__(
            scope,
            id,
            description="Interview platform: reports (PDF, CSV exports, funnel)",
            mounts=_INVITATION_MOUNT,
            **kw,
        )
        Reports(
            self,
            "Reports",
            foundation=self.foundation,
            functions=self.functions,
            routes=self.routes,
        )


class BillingStack(ContextStack):
    def __init__(self, scope: Construct, id: str, **kw: Any) -> None:
        super().__init__(
            scope, id, description="Interview platform: plans, quotas and Stripe billing", **kw
        )
        Billing(
            self,
            "Billing",
            foundation=self.foundation,
            functions=self.functions,
            routes=self.routes,
        )


class SkillsStack(ContextStack):
    def __init__(self, scope: Construct, id: str, **kw: Any) -> None:
        super().__init__(
            scope,
            id,
            description="Interview platform: the skills taxonomy and candidates' skills",
            **kw,
        )
        Skills(
            self,
            "Skills",
            foundation=self.foundation,
            functions=self.functions,
            routes=self.routes,
        )


class ApiDeploymentStack(Stack):
    """The API's deployment and stage. Its logical id carries every route of every stack, so any
    route change makes a new deployment (an imported API gets no automatic redeploy, and
    API Gateway serves a frozen copy of the routes from deployment time)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StackConfig,
        registry: RouteRegistry,
        **kw: Any,
    ) -> None:
        super().__init__(scope, id, description="Interview platform: the API's stage", **kw)
        rest_api = apigw.RestApi.from_rest_api_attributes(
            self,
            "RestApi",
            rest_api_id=imported(config.stage, Export.REST_API_ID),
            root_resource_id=imported(config.stage, Export.REST_API_ROOT_ID),
        )
        self.deployment = apigw.Deployment(
            self,
            "Deployment",
            api=rest_api,
            description="Every route of the platform",
            # LocalStack 2026.3 deletes the stage along with a replaced deployment (fixed
            # upstream later: localstack#13736); keeping old deployments locally avoids that.
            retain_deployments=config.local,
        )
        self.registry = registry
        # Resolved at synthesis, once every stack has added its routes.
        self.deployment.add_to_logical_id({"routes": cdk.Lazy.list(_Signature(registry))})
        logging: dict[str, Any] = {}
        if not config.local:
            access_logs = logs.LogGroup(
                self,
                "AccessLogs",
                retention=logs.RetentionDays.ONE_MONTH,
                removal_policy=RemovalPolicy.DESTROY,
            )
            logging = {
                "access_log_destination": apigw.LogGroupLogDestination(access_logs),
                "access_log_format": apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
                "logging_level": apigw.MethodLoggingLevel.ERROR,
                "metrics_enabled": True,
            }
        stage = apigw.Stage(
            self,
            "Stage",
            deployment=self.deployment,
            stage_name=config.stage,
            throttling_rate_limit=100,
            throttling_burst_limit=200,
            tracing_enabled=not config.local,
            **logging,
        )
        acknowledge(
            stage,
            "AwsSolutions-APIG3",
            "No WAF web ACL by default (from $5 a month plus rules): the stage throttles at "
            "100 requests/s, sign-in is rate-limited per account and source; attach an ACL "
            "per deployment where a threat model asks for one",
        )
        CfnOutput(
            self,
            c.OUTPUT_API_URL,
            value=api_url(
                rest_api.rest_api_id,
                config.stage,
                config.local_endpoint if config.local else None,
            ),
        )
        CfnOutput(self, c.OUTPUT_DEPLOYMENT_ID, value=self.deployment.deployment_id)
        if not config.local:
            # The pages and their config.json (the API's URL), once the stage exists. Locally
            # scripts/stack.py puts them (constructs/web.py says why).
            WebContent(
                self,
                "WebContent",
                bucket=s3.Bucket.from_bucket_name(
                    self, "WebBucket", imported(config.stage, Export.WEB_BUCKET_NAME)
                ),
                distribution=cloudfront.Distribution.from_distribution_attributes(
                    self,
                    "WebDistribution",
                    distribution_id=imported(config.stage, Export.WEB_DISTRIBUTION_ID),
                    domain_name=Fn.select(
                        2, Fn.split("/", imported(config.stage, Export.WEB_ORIGIN))
                    ),
                ),
                api_url=api_url(rest_api.rest_api_id, config.stage, None),
                stage=config.stage,
            )


@jsii.implements(cdk.IStableListProducer)
class _Signature:
    def __init__(self, registry: RouteRegistry) -> None:
        self._registry = registry

    def produce(self) -> list[str]:
        return self._registry.signature()


@dataclass(frozen=True, slots=True)
class Platform:
    stacks: dict[str, Stack]


def build(app: cdk.App, config: StackConfig, env: cdk.Environment | None = None) -> Platform:
    registry = RouteRegistry()

    def name(part: str) -> str:
        return c.stack_name(config.stage, part)

    common: dict[str, Any] = {"env": env}
    foundation = FoundationStack(app, name(c.FOUNDATION), config=config, **common)
    api = ApiStack(app, name(c.API), config=config, registry=registry, **common)
    api.add_stack_dependency(foundation)
    contexts: dict[str, ContextStack] = {}
    context_classes: tuple[tuple[str, type[ContextStack]], ...] = (
        (c.IDENTITY, IdentityStack),
        (c.INTERVIEWS, InterviewsStack),
        (c.CANDIDATE, CandidateStack),
        (c.MEDIA, MediaStack),
        (c.ANALYSIS, AnalysisStack),
        (c.NOTIFICATIONS, NotificationsStack),
        (c.REPORTS, ReportsStack),
        (c.BILLING, BillingStack),
        (c.SKILLS, SkillsStack),
    )
    for part, cls in context_classes:
        stack = cls(app, name(part), config=config, registry=registry, **common)
        stack.add_stack_dependency(api)
        contexts[part] = stack
    for part in (c.MEDIA, c.ANALYSIS, c.REPORTS):
        contexts[part].add_stack_dependency(contexts[c.INTERVIEWS])
    deployment = ApiDeploymentStack(
        app, name(c.API_DEPLOYMENT), config=config, registry=registry, **common
    )
    for context in contexts.values():
        deployment.add_stack_dependency(context)
    stacks: dict[str, Stack] = {
        c.FOUNDATION: foundation,
        c.API: api,
        **contexts,
        c.API_DEPLOYMENT: deployment,
    }
    acknowledge_platform(list(stacks.values()), config.stage)
    if str(app.node.try_get_context("nag") or "").lower() == "true":
        add_checks(app)
    for each in stacks.values():
        for key, value in (("application", "interview-platform"), ("stage", config.stage)):
            # CloudFormation refuses tags on a proxy's target group, which CDK offers them to.
            cdk.Tags.of(each).add(
                key, value, exclude_resource_types=["AWS::RDS::DBProxyTargetGroup"]
            )
    return Platform(stacks=stacks)
