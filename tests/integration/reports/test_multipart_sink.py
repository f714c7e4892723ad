"""The export's S3 sink against LocalStack's S3: a CSV streamed as a multipart upload arrives
as one object of several parts, byte for byte what was written (rows, BOM, neutralised cells);
an aborted upload leaves neither an object nor an open upload behind."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from scripts import localenv
from shared.reports.csv_export import write_csv
from shared.reports.dal import EXPORT_COLUMNS
from shared.reports.settings import MIB
from shared.reports.storage import MultipartWriter, export_key
from tests.integration.conftest import LOCALSTACK

pytestmark = pytest.mark.localstack
PART = 5 * MIB  # S3's smallest part (the last one excepted)
ROWS = 40_000  # about 13 MB of CSV: three parts (two of 5 MiB and a smaller last)
INVITED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def s3() -> Any:
    return localenv.client("s3", LOCALSTACK)


@pytest.fixture(scope="module")
def bucket(s3: Any) -> Iterator[str]:
    name = f"itest-reports-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    try:
        yield name
    finally:
        for upload in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in page.get("Contents", []):
                s3.delete_object(Bucket=name, Key=item["Key"])
        s3.delete_bucket(Bucket=name)


def _row(n: int, template: uuid.UUID) -> tuple[Any, ...]:
    name = "=cmd|' /C calc'!A0" if n == 7 else f"Candidate {n} Ñoño-Łódź {'x' * 60}"
    return (
        uuid.UUID(int=n),
        template,
        name,
        f"c{n}@example.com",
        "completed",
        INVITED,
        INVITED + dt.timedelta(minutes=5),
        INVITED + dt.timedelta(minutes=30),
        INVITED + dt.timedelta(minutes=31),
        Decimal("71.25"),
        Decimal("60.5"),
        Decimal("80"),
        Decimal("55.75"),
        Decimal("68.4"),
        "consider",
        "advance" if n % 2 else None,
        INVITED + dt.timedelta(days=1) if n % 2 else None,
    )


def _open_uploads(s3: Any, bucket: str, key: str) -> list[dict[str, Any]]:
    uploads = s3.list_multipart_uploads(Bucket=bucket, Prefix=key).get("Uploads", [])
    return [u for u in uploads if u["Key"] == key]


def test_an_export_streamed_in_parts_arrives_as_one_object_of_those_parts(
    s3: Any, bucket: str
) -> None:
    # Given an export's key and a multipart writer on it
    template = uuid.uuid4()
    key = export_key(uuid.uuid4(), uuid.uuid4())
    writer = MultipartWriter(s3, bucket, key, "text/csv; charset=utf-8")
    # When 40,000 rows are written in parts of 5 MiB and the upload completed
    count, size = write_csv(
        (_row(n, template) for n in range(ROWS)), writer, part_size=PART, excel=True
    )
    writer.complete()
    # Then one object holds every part: its size and S3's multipart ETag say how many
    assert count == ROWS
    assert writer.parts == 3
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == size
    assert head["ContentType"] == "text/csv; charset=utf-8"
    assert head["ETag"].strip('"').endswith(f"-{writer.parts}")
    assert _open_uploads(s3, bucket, key) == []
    # And it parses into exactly the rows written, the formula neutralised
    raw = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert header == list(EXPORT_COLUMNS)
    assert len(rows) == ROWS
    assert [r[0] for r in rows[:3]] == [str(uuid.UUID(int=n)) for n in range(3)]
    assert rows[7][2] == "'=cmd|' /C calc'!A0"
    assert rows[8][2].startswith("Candidate 8 Ñoño-Łódź")
    assert rows[1][5] == "2026-03-02T09:30:00Z"
    assert rows[1][13] == "68.4"
    assert (rows[1][15], rows[2][15], rows[2][16]) == ("advance", "", "")


def test_an_aborted_export_leaves_no_object_and_no_open_upload(s3: Any, bucket: str) -> None:
    # Given an export that wrote a part
    key = export_key(uuid.uuid4(), uuid.uuid4())
    writer = MultipartWriter(s3, bucket, key, "text/csv; charset=utf-8")
    writer.write_part(b"invitation_id\r\n" + b"x" * PART)
    assert len(_open_uploads(s3, bucket, key)) == 1
    # When it is aborted (the export failed half-way)
    writer.abort()
    # Then nothing is left: no object, no upload holding parts
    assert _open_uploads(s3, bucket, key) == []
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=key)
    assert listed.get("KeyCount", 0) == 0
