"""The web app's hosting (issue 15): locally LocalStack's S3 website under *.localhost; in AWS a
private bucket behind CloudFront (origin access control, SPA fallback, security headers), the
pages put after the API's stage with their cache headers, and CORS for that one origin."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template
from interview_platform import constants as c

LOCAL_ORIGIN = "http://interview-web-local.s3-website.localhost:4566"
WEB_ORIGIN_IMPORT = {"Fn::ImportValue": "InterviewPlatform-prod-WebOrigin"}


def _only(template: Template, kind: str, props: dict[str, Any] | None = None) -> dict[str, Any]:
    found = template.find_resources(kind, {"Properties": props} if props else None)
    assert len(found) == 1, (kind, list(found))
    return dict(next(iter(found.values()))["Properties"])


def test_local_web_app_is_an_s3_website_whose_origin_cors_allows(
    local_stacks: dict[str, Template],
) -> None:
    foundation = local_stacks[c.FOUNDATION]
    web = _only(foundation, "AWS::S3::Bucket", {"BucketName": "interview-web-local"})
    assert web["WebsiteConfiguration"] == {
        "IndexDocument": "index.html",
        "ErrorDocument": "index.html",  # every deep link gets the app
    }
    outputs = foundation.find_outputs(c.OUTPUT_WEB_URL)
    assert outputs[c.OUTPUT_WEB_URL]["Value"] == f"{LOCAL_ORIGIN}/"
    functions = local_stacks[c.INTERVIEWS].find_resources("AWS::Lambda::Function")
    origins = {
        f["Properties"]["Environment"]["Variables"].get("PLATFORM_FRONTEND_ORIGIN")
        for f in functions.values()
    }
    assert origins == {LOCAL_ORIGIN}


def test_aws_web_app_is_private_behind_cloudfront_with_spa_fallback(
    aws_stacks: dict[str, Template],
) -> None:
    foundation = aws_stacks[c.FOUNDATION]
    assert not foundation.find_resources(
        "AWS::S3::Bucket", {"Properties": {"WebsiteConfiguration": Match.any_value()}}
    )
    foundation.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {"OriginAccessControlConfig": Match.object_like({"SigningBehavior": "always"})},
    )
    distribution = _only(foundation, "AWS::CloudFront::Distribution")["DistributionConfig"]
    assert distribution["DefaultRootObject"] == "index.html"
    assert distribution["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert distribution["DefaultCacheBehavior"]["Compress"] is True
    fallback = {
        (e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"])
        for e in distribution["CustomErrorResponses"]
    }
    assert fallback == {(403, 200, "/index.html"), (404, 200, "/index.html")}
    (origin,) = distribution["Origins"]
    assert "OriginAccessControlId" in origin  # OAC, not the legacy identity (left empty)
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    headers = _only(foundation, "AWS::CloudFront::ResponseHeadersPolicy")
    security = headers["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    assert "frame-ancestors 'none'" in security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    # The bucket grants reading to CloudFront for this distribution only.
    policies = foundation.find_resources("AWS::S3::BucketPolicy")
    statements = [
        s
        for p in policies.values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    assert len(statements) == 1
    assert "AWS:SourceArn" in json.dumps(statements[0]["Condition"])


def test_aws_origin_is_the_distributions_everywhere_and_pages_get_their_cache_headers(
    aws_stacks: dict[str, Template],
) -> None:
    foundation = aws_stacks[c.FOUNDATION]
    exported = foundation.find_outputs("*")
    assert {"WebBucketName", "WebDistributionId", "WebOrigin"} <= set(exported)
    # The media bucket (in the Foundation) allows the distribution's own domain.
    media = foundation.find_resources(
        "AWS::S3::Bucket", {"Properties": {"CorsConfiguration": Match.any_value()}}
    )
    (bucket,) = media.values()
    (rule,) = bucket["Properties"]["CorsConfiguration"]["CorsRules"]
    assert "DomainName" in json.dumps(rule["AllowedOrigins"])
    # Every other stack's functions import it by name.
    for part in (c.IDENTITY, c.INTERVIEWS, c.NOTIFICATIONS):
        functions = aws_stacks[part].find_resources("AWS::Lambda::Function")
        values = [
            f["Properties"]["Environment"]["Variables"].get("PLATFORM_FRONTEND_ORIGIN")
            for f in functions.values()
            if "PLATFORM_FRONTEND_ORIGIN" in f["Properties"]["Environment"]["Variables"]
        ]
        assert values, part
        assert all(v == WEB_ORIGIN_IMPORT for v in values), part
    deployment = aws_stacks[c.API_DEPLOYMENT]
    puts = deployment.find_resources("Custom::CDKBucketDeployment")
    caches = sorted(json.dumps(p["Properties"].get("SystemMetadata", {})) for p in puts.values())
    assert len(puts) == 2
    assert any("immutable" in cache for cache in caches)  # hashed assets
    assert any("no-cache" in cache for cache in caches)  # index.html and config.json
    assert any("DistributionId" in p["Properties"] for p in puts.values())  # invalidated


def test_an_explicit_origin_replaces_the_distributions(
    aws_imported_db_template: Template,
) -> None:
    functions = aws_imported_db_template.find_resources("AWS::Lambda::Function")
    values = {
        f["Properties"]["Environment"]["Variables"].get("PLATFORM_FRONTEND_ORIGIN")
        for f in functions.values()
        if "PLATFORM_FRONTEND_ORIGIN" in f["Properties"].get("Environment", {}).get("Variables", {})
    }
    assert values == {"https://app.example.com"}
