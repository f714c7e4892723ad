"""Object storage: the media bucket candidates upload to (straight from the browser)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from interview_platform.nag import acknowledge


class Storage(Construct):
    def __init__(self, scope: Construct, id: str, *, local: bool) -> None:
        super().__init__(scope, id)
        # In AWS every request on the media bucket is logged (who fetched whose answer).
        self.access_logs: s3.Bucket | None = None
        if not local:
            self.access_logs = s3.Bucket(
                self,
                "AccessLogs",
                encryption=s3.BucketEncryption.S3_MANAGED,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
                lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
                removal_policy=RemovalPolicy.RETAIN,
            )
            acknowledge(
                self.access_logs,
                "AwsSolutions-S1",
                "The access-log bucket itself: logging it would log the logging",
            )
        self.media_bucket = s3.Bucket(
            self,
            "MediaBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=not local,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="media/" if self.access_logs else None,
            # Versions let the media pipeline dedupe S3 events on (bucket, key, version).
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-multipart",
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                s3.LifecycleRule(
                    id="expire-old-versions", noncurrent_version_expiration=Duration.days(30)
                ),
                # Media pipeline (issue 5): raw uploads are kept until long after processing;
                # temporary objects (audio for transcription, transcripts between steps) a day.
                s3.LifecycleRule(
                    id="expire-raw-uploads", prefix="raw/", expiration=Duration.days(30)
                ),
                s3.LifecycleRule(
                    id="expire-tmp",
                    prefix="tmp/",
                    expiration=Duration.days(1),
                    noncurrent_version_expiration=Duration.days(1),
                ),
            ],
            # Locally the stack is thrown away; in AWS a deploy never drops media.
            removal_policy=RemovalPolicy.DESTROY if local else RemovalPolicy.RETAIN,
        )
        # S3 -> EventBridge for the media pipeline. `event_bridge_enabled=True` relies on a custom
        # resource LocalStack skips; the CloudFormation property itself works everywhere.
        cfn_bucket = self.media_bucket.node.default_child
        if not isinstance(cfn_bucket, s3.CfnBucket):
            raise TypeError("the media bucket without its CloudFormation resource")
        cfn_bucket.add_property_override(
            "NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled", True
        )

    def allow_browser_origin(self, origin: str) -> None:
        """The one origin whose pages upload to and play from the bucket (presigned POST, PUT of
        multipart parts with their ETag read back, GET for playback)."""
        self.media_bucket.add_cors_rule(
            allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.PUT, s3.HttpMethods.POST],
            allowed_origins=[origin],
            allowed_headers=["*"],
            exposed_headers=["ETag"],
            max_age=3000,
        )
