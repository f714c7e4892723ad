"""The reports' S3: a PDF put, an export written as a multipart upload, presigned downloads."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PREFIX = "reports"


def pdf_prefix(company_id: UUID, invitation_id: UUID) -> str:
    """Every revision of one candidate's PDF lives under this prefix."""
    return f"{PREFIX}/{company_id}/candidates/{invitation_id}/"


def pdf_key(company_id: UUID, invitation_id: UUID, revision: int) -> str:
    return f"{pdf_prefix(company_id, invitation_id)}r{revision}.pdf"


def export_key(company_id: UUID, job_id: UUID) -> str:
    return f"{PREFIX}/{company_id}/exports/{job_id}.csv"


def put_pdf(s3: S3Client, bucket: str, key: str, body: bytes) -> None:
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType="application/pdf",
    )


class MultipartWriter:
    """One object written in parts; ``complete`` or ``abort`` ends it."""

    def __init__(self, s3: S3Client, bucket: str, key: str, content_type: str) -> None:
        self._s3, self._bucket, self._key = s3, bucket, key
        self._upload_id = s3.create_multipart_upload(
            Bucket=bucket, Key=key, ContentType=content_type
        )["UploadId"]
        self._parts: list[dict[str, Any]] = []

    def write_part(self, data: bytes) -> None:
        number = len(self._parts) + 1
        answer = self._s3.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=data,
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def complete(self) -> None:
        self._s3.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},  # type: ignore[typeddict-item]
        )

    def abort(self) -> None:
        self._s3.abort_multipart_upload(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
        )

    @property
    def parts(self) -> int:
        return len(self._parts)


def download_url(
    s3: S3Client, bucket: str, key: str, filename: str, ttl_s: int
) -> tuple[str, dt.datetime]:
    """A presigned GET of this one key, as an attachment named ``filename``."""
    url = s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        },
        ExpiresIn=ttl_s,
    )
    return url, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=ttl_s)
