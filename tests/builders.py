"""Builders for AWS event shapes, starting from the samples in events/samples."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1] / "events" / "samples"


@cache
def _sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def apigw_rest_event(
    method: str = "GET", path: str = "/v1/health", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    event = copy.deepcopy(_sample("apigw_rest_get_health"))
    event["httpMethod"] = method
    event["path"] = path
    event["resource"] = path
    event["requestContext"]["httpMethod"] = method
    event["requestContext"]["resourcePath"] = path
    event["requestContext"]["path"] = f"/local{path}"
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    return event


class FakeLambdaContext:
    """The attributes of the Lambda context object that Powertools and our code read."""

    function_name = "tests"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:tests"
    memory_limit_in_mb = 256
    aws_request_id = "00000000-0000-0000-0000-000000000001"
    log_group_name = "/aws/lambda/tests"
    log_stream_name = "tests"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def ses_notification(
    kind: str, *, message_id: str | None = None, recipient: str | None = None
) -> dict[str, Any]:
    """SES's documented notification of ``kind`` (events/samples/ses_<kind>.json), for this
    message id and recipient when given."""
    data = copy.deepcopy(_sample(f"ses_{kind}"))
    if message_id is not None:
        data["mail"]["messageId"] = message_id
    if recipient is not None:
        data["mail"]["destination"] = [recipient]
        for part, key in (("bounce", "bouncedRecipients"), ("complaint", "complainedRecipients")):
            for entry in data.get(part, {}).get(key, []):
                entry["emailAddress"] = recipient
        if "delivery" in data:
            data["delivery"]["recipients"] = [recipient]
    return data


def sns_envelope(message: str, topic_arn: str = "arn:aws:sns:us-east-1:000000000000:t") -> str:
    """An SQS body as SNS delivers a notification to a queue (raw delivery off)."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
            "TopicArn": topic_arn,
            "Subject": "Amazon SES Email Event Notification",
            "Message": message,
            "Timestamp": "2017-08-05T00:41:03.000Z",
            "SignatureVersion": "1",
        }
    )


def unreachable_client(service: str) -> Any:
    """A real boto3 client of ``service`` at a port nobody listens on: every call is a real
    connection error (one try, 1 s timeouts)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}),
    )
