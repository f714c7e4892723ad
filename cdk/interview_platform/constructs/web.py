"""The web app's hosting (issue 15): its static files in a bucket of their own.

- In AWS: a private bucket read only by a CloudFront distribution through origin access control,
  HTTPS only, index.html for the root and for every path the bucket does not hold (the SPA
  fallback: 403/404 -> /index.html with 200), security headers (no Referer ever leaves a page:
  the candidate's link token is in the fragment, and HR's pages carry none either). The files
  (web/dist and a config.json naming the API) are put by ``WebContent`` once the API's stage
  exists; hashed assets are cached for a year, index.html and config.json never.
- Locally: LocalStack's S3 website endpoint, which needs no DNS: Chromium and every browser
  resolve ``*.localhost`` to the loopback themselves, and LocalStack serves
  ``http://<bucket>.s3-website.localhost:<port>/`` with the bucket's website configuration (index
  and error document index.html: the same fallback, with status 404 on a deep link).
  scripts/stack.py builds web/ and puts the files after each deploy (a BucketDeployment's
  Lambda needs the AWS CLI layer, which host-mode LocalStack cannot run).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from interview_platform.constants import REPO_ROOT, STACK_NAME_PREFIX, local_web_bucket_name
from interview_platform.nag import acknowledge

WEB_DIST = REPO_ROOT / "web" / "dist"
INDEX = "index.html"
CONFIG = "config.json"
# Hashed file names (Vite's assets/*-<hash>.js): immutable; the rest must be revalidated.
ASSETS_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"
# What the pages may load: themselves, the API and the media bucket (uploads, playback), and
# blob: for recordings and captions. `connect-src` is widened to https: because the API's and
# the bucket's hosts are only known at deploy time.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
    "media-src 'self' blob: https:; connect-src 'self' https:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)


class WebHosting(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str,
        local: bool,
        access_logs: s3.IBucket | None,
    ) -> None:
        super().__init__(scope, id)
        self.distribution: cloudfront.Distribution | None = None
        if local:
            self.bucket = s3.Bucket(
                self,
                "Bucket",
                bucket_name=local_web_bucket_name(stage),
                website_index_document=INDEX,
                website_error_document=INDEX,
                removal_policy=RemovalPolicy.DESTROY,
            )
            return
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="web/",
            # Rebuilt from git on every deploy, but like every bucket in AWS it outlives the stack.
            removal_policy=RemovalPolicy.RETAIN,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "Headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=CONTENT_SECURITY_POLICY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365),
                    include_subdomains=True,
                    override=True,
                ),
            ),
            # The candidate's page asks for the camera and the microphone, nothing else.
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy",
                        value="camera=(self), microphone=(self), geolocation=()",
                        override=True,
                    )
                ]
            ),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"interview platform web app ({stage})",
            default_root_object=INDEX,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                compress=True,
            ),
            # The SPA fallback: a deep link (/interview, /hr/invitations/<id>) gets index.html.
            error_responses=[
                cloudfront.ErrorResponse(
                    http_status=status,
                    response_http_status=200,
                    response_page_path=f"/{INDEX}",
                    ttl=Duration.seconds(0),
                )
                for status in (403, 404)
            ],
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=access_logs is not None,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "Candidates are invited from anywhere: no geographic restriction",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "Static files only, no WAF web ACL by default (cost); the API's stage throttles",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "The default *.cloudfront.net certificate allows TLS 1.0 viewers; with a custom "
            "domain the TLSv1.2_2021 minimum set here applies",
        )

    @property
    def url(self) -> str:
        if self.distribution is None:
            raise ValueError("the local web app has no distribution")
        return f"https://{self.distribution.distribution_domain_name}"


class WebContent(Construct):
    """The built pages (web/dist) and config.json (the API's URL) in the web bucket, AWS only:
    two deployments, because the cache headers differ (hashed assets for a year, the rest never)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        bucket: s3.IBucket,
        distribution: cloudfront.IDistribution,
        api_url: str,
        stage: str,
        dist: Path = WEB_DIST,
    ) -> None:
        super().__init__(scope, id)
        if not (dist / INDEX).exists():
            raise FileNotFoundError(f"{dist / INDEX} is missing: build the web app (`make web`)")
        assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            destination_bucket=bucket,
            sources=[s3deploy.Source.asset(str(dist), exclude=[INDEX, ".vite/*"])],
            cache_control=[s3deploy.CacheControl.from_string(ASSETS_CACHE)],
            prune=False,
            memory_limit=512,
        )
        pages = s3deploy.BucketDeployment(
            self,
            "Pages",
            destination_bucket=bucket,
            sources=[
                s3deploy.Source.asset(str(dist), exclude=["*", f"!{INDEX}"]),
                s3deploy.Source.json_data(CONFIG, {"apiUrl": api_url}),
            ],
            cache_control=[s3deploy.CacheControl.from_string(PAGE_CACHE)],
            prune=False,
            distribution=distribution,
            distribution_paths=[f"/{INDEX}", f"/{CONFIG}"],
            memory_limit=512,
        )
        # index.html names the new assets: put it only once they are there.
        pages.node.add_dependency(assets)
        # Both deployments share CDK's one copying function (a singleton per memory size).
        bucket_arn = f"arn:<AWS::Partition>:s3:::{STACK_NAME_PREFIX}-{stage}-WebBucketName/*"
        assets_arn = (
            "arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*"
        )
        for resource, why in (
            (bucket_arn, "CDK's BucketDeployment writes and prunes the web app's files"),
            (assets_arn, "CDK's BucketDeployment reads the built pages from CDK's asset bucket"),
        ):
            acknowledge(assets.handler_role, f"AwsSolutions-IAM5[Resource::{resource}]", why)
