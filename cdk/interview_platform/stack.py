"""The platform's stack: thin, composing one construct per capability."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from constructs import Construct

from interview_platform import constants as c
from interview_platform.config import StackConfig
from interview_platform.constructs.api import Api
from interview_platform.constructs.data import Data
from interview_platform.constructs.events import (
    OUTPUT_AUDIT_DLQ_URL,
    OUTPUT_AUDIT_QUEUE_URL,
    OUTPUT_EVENT_BUS_NAME,
    OUTPUT_OUTBOX_RELAY_FUNCTION,
    Consumer,
    PlatformEvents,
    consumer_timeouts_s,
    detail_type_prefixes,
)
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.identity import Identity
from interview_platform.constructs.storage import Storage


class PlatformStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: StackConfig, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        storage = Storage(
            self, "Storage", frontend_origin=config.frontend_origin, local=config.local
        )
        data = Data(
            self,
            "Data",
            local=config.local,
            secret_arn=config.db_secret_arn,
            local_db_host=config.local_db_host,
            local_db_name=config.local_db_name,
        )
        functions = PlatformFunctions(
            self,
            "Functions",
            stage=config.stage,
            local=config.local,
            common_env={
                "DB_SECRET_ARN": data.secret.secret_arn,
                "PLATFORM_MEDIA_BUCKET": storage.media_bucket.bucket_name,
                "PLATFORM_FRONTEND_ORIGIN": config.frontend_origin,
            },
        )
        api = Api(
            self,
            "Api",
            stage=config.stage,
            frontend_origin=config.frontend_origin,
            local_endpoint=config.local_endpoint if config.local else None,
        )

        not_found = functions.add(
            FunctionSpec("NotFound", "functions.platform.not_found.handler.handler", memory_mb=256)
        )
        api.set_fallback(not_found)

        health = functions.add(
            FunctionSpec("Health", "functions.platform.health.handler.handler", timeout_s=15)
        )
        data.secret.grant_read(health)
        storage.media_bucket.grant_read(health)
        api.route("health", "GET", health)

        openapi = functions.add(
            FunctionSpec("OpenApi", "functions.platform.openapi.handler.handler", memory_mb=256)
        )
        api.route("openapi.json", "GET", openapi)

        migrate = functions.add(
            FunctionSpec("Migrate", "functions.platform.migrate.handler.handler", timeout_s=300)
        )
        data.secret.grant_read(migrate)

        # ---- events: bus, outbox relay, consumers (issue 3, event kernel) ----------------
        # Producers call `platform_events.allow_publish(fn)`: EVENT_BUS_NAME + PutEvents on our bus.
        platform_events = PlatformEvents(self, "Events", stage=config.stage)
        outbox_relay = functions.add(
            FunctionSpec(
                "OutboxRelay", "functions.platform.outbox_relay.handler.handler", timeout_s=60
            )
        )
        data.secret.grant_read(outbox_relay)
        platform_events.schedule_relay(outbox_relay, every=Duration.minutes(1))
        consumer_timeout_s, visibility_timeout_s = consumer_timeouts_s(config.local)
        audit_consumer = functions.add(
            FunctionSpec(
                "AuditConsumer",
                "functions.platform.audit_consumer.handler.handler",
                timeout_s=consumer_timeout_s,
            )
        )
        data.secret.grant_read(audit_consumer)
        audit = Consumer(
            self,
            "AuditLog",
            bus=platform_events.bus,
            function=audit_consumer,
            pattern=detail_type_prefixes("user.", "company."),
            visibility_timeout=Duration.seconds(visibility_timeout_s),
            local=config.local,
        )
        CfnOutput(self, OUTPUT_EVENT_BUS_NAME, value=platform_events.bus.event_bus_name)
        CfnOutput(self, OUTPUT_AUDIT_QUEUE_URL, value=audit.queue.queue_url)
        CfnOutput(self, OUTPUT_AUDIT_DLQ_URL, value=audit.dlq.queue_url)
        CfnOutput(self, OUTPUT_OUTBOX_RELAY_FUNCTION, value=outbox_relay.function_name)
        # ---- end of events -------------------------------------------------------------------

        # ---- identity and access (issue 3, identity) -------------------------------------------
        identity = Identity(
            self,
            "Identity",
            stage=config.stage,
            local=config.local,
            functions=functions,
            api=api,
            db_secret=data.secret,
            media_bucket=storage.media_bucket,
        )
        for producer in identity.functions.values():
            platform_events.allow_publish(producer)
        CfnOutput(self, "IdentityKeySecretName", value=identity.key_secret_name)
        CfnOutput(self, "IdentityRotateKeyFunctionName", value=identity.rotate_key.function_name)
        # ---- end of identity -----------------------------------------------------------------

        # ---- interviews: candidate flow (issue 4) ----
        from interview_platform.constructs.candidate import CandidateFlow  # noqa: PLC0415

        candidate_flow = CandidateFlow(
            self,
            "CandidateFlow",
            stage=config.stage,
            local=config.local,
            common_env={
                "DB_SECRET_ARN": data.secret.secret_arn,
                "PLATFORM_MEDIA_BUCKET": storage.media_bucket.bucket_name,
                "PLATFORM_FRONTEND_ORIGIN": config.frontend_origin,
            },
            api=api,
            db_secret=data.secret,
            media_bucket=storage.media_bucket,
            platform_events=platform_events,
            fallback=not_found,
        )
        CfnOutput(self, "InterviewsSweepFunctionName", value=candidate_flow.sweep.function_name)
        # ---- end of candidate flow ----

        # ---- interviews: HR (issue 4) ----
        from aws_cdk.aws_apigateway import CfnAuthorizer  # noqa: PLC0415

        from interview_platform.constructs.interviews import Interviews  # noqa: PLC0415

        # In AWS the HR routes sit behind identity's token authorizer too (none locally).
        authorizer = identity.node.try_find_child("TokenAuthorizer")
        Interviews(
            self,
            "InterviewsHr",
            functions=functions,
            api=api,
            db_secret=data.secret,
            media_bucket=storage.media_bucket,
            platform_events=platform_events,
            key_secret_name=identity.key_secret_name,
            token_authorizer=authorizer if isinstance(authorizer, CfnAuthorizer) else None,
        )
        # ---- end of interviews: HR ----

        # ---- analysis (issue 6) ----
        from interview_platform.constructs.analysis import Analysis  # noqa: PLC0415

        Analysis(
            self,
            "Analysis",
            stage=config.stage,
            local=config.local,
            functions=functions,
            api=api,
            db_secret=data.secret,
            platform_events=platform_events,
            key_secret_name=identity.key_secret_name,
            token_authorizer=identity.node.try_find_child("TokenAuthorizer"),
        )
        # ---- end of analysis ----

        # ---- media pipeline (issue 5) ----
        from interview_platform.constructs.media import (  # noqa: PLC0415
            OUTPUT_STATE_MACHINE_ARN,
            MediaPipeline,
        )

        media = MediaPipeline(
            self,
            "Media",
            stage=config.stage,
            local=config.local,
            common_env={
                "DB_SECRET_ARN": data.secret.secret_arn,
                "PLATFORM_MEDIA_BUCKET": storage.media_bucket.bucket_name,
                "PLATFORM_FRONTEND_ORIGIN": config.frontend_origin,
            },
            functions=functions,
            api=api,
            db_secret=data.secret,
            media_bucket=storage.media_bucket,
            key_secret_name=identity.key_secret_name,
            token_authorizer=identity.node.try_find_child("TokenAuthorizer"),
        )
        for producer in media.producers:
            platform_events.allow_publish(producer)
        CfnOutput(self, OUTPUT_STATE_MACHINE_ARN, value=media.state_machine_arn)
        # ---- end of media pipeline ----

        CfnOutput(self, c.OUTPUT_API_URL, value=api.url)
        CfnOutput(self, c.OUTPUT_API_ID, value=api.rest_api.rest_api_id)
        CfnOutput(self, c.OUTPUT_MEDIA_BUCKET, value=storage.media_bucket.bucket_name)
        CfnOutput(self, c.OUTPUT_DB_SECRET_ARN, value=data.secret.secret_arn)
        CfnOutput(self, c.OUTPUT_HEALTH_FUNCTION, value=health.function_name)
        CfnOutput(self, c.OUTPUT_MIGRATE_FUNCTION, value=migrate.function_name)
