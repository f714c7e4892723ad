"""The local S3 checks signatures (issue 13, finding 14): LocalStack runs with
``S3_SKIP_SIGNATURE_VALIDATION=0`` and our guard (``localstack/hostexec/hostexec/s3guard.py``),
so a presigned POST whose policy was re-written or whose signature is forged is refused, an
expired or tampered presigned GET is refused, and so are anonymous writes and reads of a
candidate's video. What it still does not enforce is in the README (bucket policies, public
access blocks, header signatures)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from scripts import localenv
from tests.integration.conftest import LOCALSTACK

pytestmark = pytest.mark.localstack
KEY = "raw/company/invitation/question/upload.webm"
VIDEO = b"\x1a\x45\xdf\xa3" + b"\x00" * 1020


@pytest.fixture(scope="module")
def s3() -> Any:
    return localenv.client("s3", LOCALSTACK)


@pytest.fixture(scope="module")
def bucket(s3: Any) -> Iterator[str]:
    name = f"itest-sig-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    try:
        yield name
    finally:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                s3.delete_object(Bucket=name, Key=v["Key"], VersionId=v["VersionId"])
        s3.delete_bucket(Bucket=name)


def _post(s3: Any, bucket: str, key: str = KEY) -> dict[str, Any]:
    post: dict[str, Any] = s3.generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": "video/webm"},
        Conditions=[
            {"bucket": bucket},
            ["eq", "$key", key],
            ["eq", "$Content-Type", "video/webm"],
            ["content-length-range", 1, 2048],
        ],
        ExpiresIn=300,
    )
    return post


def _send(post: dict[str, Any], fields: dict[str, str], body: bytes = VIDEO) -> httpx.Response:
    return httpx.post(
        post["url"], data=fields, files={"file": ("a", body, "video/webm")}, timeout=30
    )


def _exists(s3: Any, bucket: str, key: str) -> bool:
    return s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) > 0


def test_a_presigned_post_with_its_own_signature_is_accepted(s3: Any, bucket: str) -> None:
    post = _post(s3, bucket, "ok/a.webm")
    assert _send(post, post["fields"]).status_code == 204
    assert _exists(s3, bucket, "ok/a.webm")


def test_a_rewritten_policy_is_refused(s3: Any, bucket: str) -> None:
    # Given a valid presigned POST whose policy is re-written to allow 100 MB of anything
    post = _post(s3, bucket, "rewritten/a.webm")
    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    policy["conditions"] = [
        c
        for c in policy["conditions"]
        if not (isinstance(c, list) and c[0] == "content-length-range")
    ] + [["content-length-range", 1, 100 * 1024 * 1024]]
    forged = {**post["fields"], "policy": base64.b64encode(json.dumps(policy).encode()).decode()}
    # When it is posted with a body over the original cap
    response = _send(post, forged, b"\x1a\x45\xdf\xa3" + b"\x00" * 4096)
    # Then S3 refuses it, and nothing is stored
    assert response.status_code == 403, response.text
    assert "SignatureDoesNotMatch" in response.text
    assert not _exists(s3, bucket, "rewritten/a.webm")


def test_a_forged_signature_is_refused(s3: Any, bucket: str) -> None:
    post = _post(s3, bucket, "forged/a.webm")
    name = "x-amz-signature" if "x-amz-signature" in post["fields"] else "signature"
    signature = post["fields"][name]
    forged = {**post["fields"], name: ("0" if signature[0] != "0" else "1") + signature[1:]}
    response = _send(post, forged)
    assert response.status_code == 403, response.text
    assert not _exists(s3, bucket, "forged/a.webm")


def test_a_post_without_a_policy_is_refused(s3: Any, bucket: str) -> None:
    post = _post(s3, bucket, "nopolicy/a.webm")
    response = _send(post, {"key": "nopolicy/a.webm", "Content-Type": "video/webm"})
    assert response.status_code == 403, response.text
    assert not _exists(s3, bucket, "nopolicy/a.webm")


def test_anonymous_writes_and_reads_are_refused(s3: Any, bucket: str) -> None:
    # Given a candidate's video in the bucket
    s3.put_object(Bucket=bucket, Key=KEY, Body=VIDEO, ContentType="video/webm")
    url = f"{LOCALSTACK.rstrip('/')}/{bucket}/{KEY}"
    # Then nobody without credentials reads it, or writes over it
    read = httpx.get(url, timeout=30)
    assert read.status_code == 403, read.text
    assert VIDEO not in read.content
    write = httpx.put(url, content=b"replaced", headers={"Content-Type": "video/webm"}, timeout=30)
    assert write.status_code == 403, write.text
    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == VIDEO
    # And a presigned GET works, but not once tampered with
    signed = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": KEY}, ExpiresIn=60
    )
    assert httpx.get(signed, timeout=30).content == VIDEO
    tampered = signed.replace(KEY, KEY.replace("upload", "other"))
    assert httpx.get(tampered, timeout=30).status_code == 403


def test_an_expired_presigned_get_is_refused(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="expiring.webm", Body=VIDEO, ContentType="video/webm")
    signed = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "expiring.webm"}, ExpiresIn=1
    )
    deadline = time.monotonic() + 15
    status = httpx.get(signed, timeout=30).status_code
    while status == 200 and time.monotonic() < deadline:
        time.sleep(0.5)  # polling for the URL's expiry, with a deadline
        status = httpx.get(signed, timeout=30).status_code
    assert status == 403
