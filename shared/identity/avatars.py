"""Avatars: a presigned POST scoped to one key, type and size; a confirm that checks the object.

S3 enforces the policy on upload (exact key, exact Content-Type, 1 byte to the size cap, short
expiry). The confirm call then reads the object's real size and its first bytes, so a text file
uploaded as image/png is refused even though the policy let it in.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from shared.errors import NotFoundError, UnprocessableError
from shared.identity.models import AvatarUpload

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
_MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


def avatar_prefix(user_id: uuid.UUID) -> str:
    return f"avatars/{user_id}/"


def presign_upload(
    s3: S3Client,
    bucket: str,
    user_id: uuid.UUID,
    content_type: str,
    *,
    max_bytes: int,
    expires_s: int,
) -> AvatarUpload:
    key = f"{avatar_prefix(user_id)}{uuid.uuid4().hex}.{_EXTENSIONS[content_type]}"
    post = s3.generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"bucket": bucket},
            ["eq", "$key", key],
            ["eq", "$Content-Type", content_type],
            ["content-length-range", 1, max_bytes],
        ],
        ExpiresIn=expires_s,
    )
    return AvatarUpload(
        url=post["url"],
        fields={k: str(v) for k, v in post["fields"].items()},
        key=key,
        expires_in=expires_s,
        max_bytes=max_bytes,
    )


def sniff_type(head: bytes) -> str | None:
    return next((t for t, magic in _MAGIC.items() if head.startswith(magic)), None)


def check_uploaded(
    s3: S3Client, bucket: str, user_id: uuid.UUID, key: str, *, max_bytes: int
) -> str:
    """The key if the object is the caller's, within the cap, and really a JPEG or PNG."""
    if not key.startswith(avatar_prefix(user_id)) or ".." in key:
        raise NotFoundError("No such upload.")
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        first = s3.get_object(Bucket=bucket, Key=key, Range="bytes=0-15")["Body"].read()
    except ClientError as exc:
        raise NotFoundError("No such upload.") from exc
    size = int(head["ContentLength"])
    declared = head.get("ContentType", "")
    if size < 1 or size > max_bytes:
        raise UnprocessableError("The avatar must be at most 5 MB.")
    real = sniff_type(first)
    if real is None or real != declared:
        raise UnprocessableError("The avatar must be a JPEG or PNG image.")
    return key
