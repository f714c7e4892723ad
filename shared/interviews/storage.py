"""Interviews on S3: the candidate's uploads (presigned POST, multipart, the object checks on
submit) and HR's playback URLs.

The S3 side of interviews lives here only. A presigned POST carries a policy S3 itself enforces:
the one key, the exact Content-Type, 1 byte up to the question type's cap, a short expiry.
Presigned multipart part URLs cannot carry a size range, so a completed multipart object is
checked (size and type) before it is accepted, and deleted when it breaks the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from shared.errors import ConflictError, NotFoundError, UnprocessableError
from shared.interviews.candidate_models import CompletedPart, PartUrl
from shared.interviews.rows import UploadRow

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_MISSING = {"404", "NoSuchKey", "NotFound"}


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    size: int
    content_type: str
    # The version HEAD answered for (the newest unless one was asked for); "" when unversioned.
    version_id: str = ""


@dataclass(frozen=True, slots=True)
class MediaStorage:
    """The media bucket, through one S3 client (injected: tests pass LocalStack's)."""

    s3: S3Client
    bucket: str

    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_s: int
    ) -> tuple[str, dict[str, str]]:
        post = self.s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"bucket": self.bucket},
                ["eq", "$key", key],
                ["eq", "$Content-Type", content_type],
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_s,
        )
        return post["url"], {k: str(v) for k, v in post["fields"].items()}

    def start_multipart(self, key: str, content_type: str) -> str:
        answer = self.s3.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type
        )
        return answer["UploadId"]

    def part_urls(
        self, key: str, multipart_id: str, part_numbers: list[int], expires_s: int
    ) -> list[PartUrl]:
        return [
            PartUrl(
                part_number=number,
                url=self.s3.generate_presigned_url(
                    "upload_part",
                    Params={
                        "Bucket": self.bucket,
                        "Key": key,
                        "UploadId": multipart_id,
                        "PartNumber": number,
                    },
                    ExpiresIn=expires_s,
                ),
            )
            for number in part_numbers
        ]

    def complete_multipart(self, key: str, multipart_id: str, parts: list[CompletedPart]) -> None:
        try:
            self.s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=multipart_id,
                MultipartUpload={
                    "Parts": [{"PartNumber": p.part_number, "ETag": p.etag} for p in parts]
                },
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "NoSuchUpload":
                raise NotFoundError("No such multipart upload (completed or aborted).") from exc
            if code in {"InvalidPart", "InvalidPartOrder", "EntityTooSmall"}:
                raise UnprocessableError(f"body.parts: S3 refused the parts ({code}).") from exc
            raise

    def abort_multipart(self, key: str, multipart_id: str) -> None:
        try:
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=multipart_id)
        except ClientError as exc:
            # Aborting twice is fine: the upload is gone either way.
            if exc.response.get("Error", {}).get("Code", "") != "NoSuchUpload":
                raise

    def head(self, key: str, version_id: str | None = None) -> ObjectInfo | None:
        extra = {"VersionId": version_id} if version_id else {}
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=key, **extra)  # type: ignore[arg-type]
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code", "")) in _MISSING:
                return None
            raise
        return ObjectInfo(
            int(head["ContentLength"]),
            str(head.get("ContentType", "")),
            str(head.get("VersionId") or ""),
        )

    def version_count(self, key: str) -> int:
        """How many versions (delete markers included) the key has: an upload URL writes one."""
        page = self.s3.list_object_versions(Bucket=self.bucket, Prefix=key, MaxKeys=10)
        return sum(
            1
            for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            if entry.get("Key") == key
        )

    def delete(self, key: str, version_id: str) -> None:
        """Delete exactly this version: on a versioned bucket a delete without a VersionId only
        adds a delete marker, and the refused bytes would stay (and be processed)."""
        if version_id:
            self.s3.delete_object(Bucket=self.bucket, Key=key, VersionId=version_id)
        else:
            self.s3.delete_object(Bucket=self.bucket, Key=key)


def check_object(upload: UploadRow, found: ObjectInfo | None) -> ObjectInfo:
    """The uploaded object, if it is what the upload declared (exists, type, size)."""
    if found is None:
        raise UnprocessableError(
            "body.upload_id: nothing was uploaded for this upload (the object is missing)."
        )
    if found.content_type != upload.content_type:
        raise UnprocessableError(
            f"body.upload_id: the object is {found.content_type or 'untyped'},"
            f" not the declared {upload.content_type}."
        )
    if not 1 <= found.size <= upload.max_bytes:
        raise UnprocessableError(
            f"body.upload_id: the object has {found.size} bytes; the limit is {upload.max_bytes}."
        )
    return found


def require_multipart(upload: UploadRow, now: datetime) -> str:
    if upload.multipart_upload_id is None:
        raise ConflictError("This upload is not a multipart upload.")
    if now > upload.expires_at:
        raise ConflictError("This upload's URLs have expired; start a new upload.")
    return upload.multipart_upload_id


@lru_cache(maxsize=1)
def default_storage() -> MediaStorage:
    """The process's media bucket client (created on first use, then reused)."""
    from shared.dal.aws import s3_client  # noqa: PLC0415 - boto3 only where S3 is used
    from shared.settings import get_platform_settings  # noqa: PLC0415

    bucket = get_platform_settings().media_bucket
    if not bucket:
        raise RuntimeError("PLATFORM_MEDIA_BUCKET is not set")
    return MediaStorage(s3_client(), bucket)


# ---- playback (HR's review) ----------------------------------------------------------------
def presign_playback(
    s3: S3Client, bucket: str, key: str, expires_s: int, version_id: str | None = None
) -> str:
    """A GET for exactly one object version (the one submitted), valid `expires_s` seconds
    (signed locally, no call). Without the version a later write to the key would play."""
    params = {"Bucket": bucket, "Key": key}
    if version_id:
        params["VersionId"] = version_id
    url: str = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_s)
    return url


def playback_signer(bucket: str) -> Callable[[str, int, str | None], str]:
    """Signs playback GETs on `bucket` with the process's S3 client (boto3 imported on first
    use, so handlers that never sign do not pay for it at cold start)."""

    def sign(key: str, expires_s: int, version_id: str | None = None) -> str:
        from shared.dal.aws import s3_client  # noqa: PLC0415 - cold start

        return presign_playback(s3_client(), bucket, key, expires_s, version_id)

    return sign
