"""CSV cells neutralised against formula injection, parts of the right size, and the funnel's
percentiles read off the log histograms."""

from __future__ import annotations

import csv
import io

import pytest

from shared.reports.analytics import bucket_bounds, duration_bucket, percentile
from shared.reports.csv_export import BOM, cell, neutralise, write_csv
from shared.reports.dal import EXPORT_COLUMNS


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ada", "Ada"),
        ("a=b", "a=b"),
    ],
)
def test_cells_that_spreadsheets_would_run_are_neutralised(given: str, written: str) -> None:
    assert neutralise(given) == written
    assert cell(given) == written


def test_numbers_are_not_text_cells() -> None:
    assert cell(-5) == "-5"
    assert cell(None) == ""


class _Parts:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write_part(self, data: bytes) -> None:
        self.parts.append(data)


def test_rows_go_out_in_parts_of_at_least_the_part_size() -> None:
    rows = ((f"id-{i}", *("x" * 40 for _ in EXPORT_COLUMNS[1:])) for i in range(20_000))
    sink = _Parts()

    count, size = write_csv(rows, sink, part_size=256 * 1024, excel=True)

    assert count == 20_000
    assert all(len(p) >= 256 * 1024 for p in sink.parts[:-1])
    assert len(sink.parts) > 3
    data = b"".join(sink.parts)
    assert size == len(data)
    assert data.decode().startswith(BOM)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == list(EXPORT_COLUMNS)
    assert len(parsed) == 20_001


def test_durations_fall_in_their_buckets() -> None:
    for seconds in (0, 1, 59, 3600, 86_400 * 3):
        low, high = bucket_bounds(duration_bucket(seconds))
        assert low <= seconds < high


def test_percentiles_are_within_five_percent() -> None:
    durations = [60 * (i + 1) for i in range(100)]  # 1 to 100 minutes
    histogram = [0] * 200
    for d in durations:
        histogram[duration_bucket(d) - 1] += 1

    assert percentile(histogram, 0.5) == pytest.approx(50.5 * 60, rel=0.05)
    assert percentile(histogram, 0.9) == pytest.approx(90.1 * 60, rel=0.05)
    assert percentile([0, 0], 0.5) is None
