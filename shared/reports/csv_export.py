"""CSV exports: rows formatted and guarded against formula injection, streamed to S3 in parts.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some read a
leading tab or carriage return the same way) as a formula, so such a cell is prefixed with an
apostrophe (OWASP's advice): it shows as text and nothing runs. Numbers we write ourselves
(scores) are not text cells and are left alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from shared.reports.dal import EXPORT_COLUMNS

BOM = "\ufeff"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(_DANGEROUS) else value


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    return neutralise(str(value))


class PartSink(Protocol):
    """Where the file's bytes go, a part at a time (S3 multipart upload)."""

    def write_part(self, data: bytes) -> None: ...


def write_csv(
    rows: Iterable[tuple[Any, ...]], sink: PartSink, *, part_size: int, excel: bool
) -> tuple[int, int]:
    """Write the header and every row; hand ``sink`` parts of at least ``part_size`` bytes
    (the last one smaller). Returns (rows, bytes). Only one part is held in memory."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    if excel:
        text.write(BOM)
    writer.writerow(EXPORT_COLUMNS)
    buffer = bytearray()
    count = size = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        count += 1
        if text.tell() >= 65_536:
            buffer += text.getvalue().encode()
            text.seek(0)
            text.truncate()
            if len(buffer) >= part_size:
                sink.write_part(bytes(buffer))
                size += len(buffer)
                buffer.clear()
    buffer += text.getvalue().encode()
    sink.write_part(bytes(buffer))
    size += len(buffer)
    return count, size
