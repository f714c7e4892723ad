"""The hiring funnel over a range of days, from the daily rollup (``reports.funnel_daily``,
kept by a trigger on the facts; migration 0030 says why it is pre-aggregated).

Counts are exact. The median and p90 durations are read off log-scale histograms (bucket b
holds [1.1^(b-1) - 1, 1.1^b - 1) seconds): each duration counts as the middle of its bucket
(within 5 % of its value), interpolated like percentile_cont.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from shared.reports.models import (
    FunnelStage,
    FunnelView,
    Percentiles,
    QuestionDropOff,
    ScoreBucket,
)

GROWTH = 1.1
METHOD = (
    "Pre-aggregated: a daily rollup per template kept by a trigger on the invitation facts;"
    " counts exact, median and p90 from log histograms (within 5 %)"
)
_STAGES = ("invited", "started", "completed", "analysed", "advanced", "rejected")
_COUNTS = (*_STAGES, "expired", "cancelled", "hire", "consider", "reject", "started_no_answer")
_ARRAYS = ("score_hist", "start_hist", "complete_hist", "answered", "stopped")


def bucket_bounds(bucket: int) -> tuple[float, float]:
    """The seconds bucket ``bucket`` (1-based) holds: [low, high)."""
    return GROWTH ** (bucket - 1) - 1, GROWTH**bucket - 1


def duration_bucket(seconds: float) -> int:
    """The same as SQL's reports.duration_bucket."""
    return 1 + min(math.floor(math.log(1 + max(seconds, 0)) / math.log(GROWTH)), 199)


def _add(total: list[int], more: Sequence[int] | None) -> None:
    if not more:
        return
    if len(more) > len(total):
        total.extend([0] * (len(more) - len(total)))
    for i, value in enumerate(more):
        total[i] += value or 0


def _kth(histogram: Sequence[int], k: int) -> float:
    """The k-th smallest duration (0-based), as the middle of its bucket."""
    seen = 0
    for index, count in enumerate(histogram):
        seen += count
        if k < seen:
            low, high = bucket_bounds(index + 1)
            return (low + high) / 2
    raise IndexError(k)


def percentile(histogram: Sequence[int], q: float) -> float | None:
    """The q-quantile (0-1) of the durations a histogram counts, interpolated between the two
    nearest durations like percentile_cont, each taken as the middle of its bucket."""
    n = sum(histogram)
    if n == 0:
        return None
    rank = q * (n - 1)
    below, above = math.floor(rank), math.ceil(rank)
    low, high = _kth(histogram, below), _kth(histogram, above)
    return round(low + (high - low) * (rank - below), 1)


def _percentiles(histogram: Sequence[int]) -> Percentiles:
    return Percentiles(
        count=sum(histogram), median_s=percentile(histogram, 0.5), p90_s=percentile(histogram, 0.9)
    )


def funnel(
    rows: Iterable[dict[str, Any]],
    *,
    template_id: UUID | None,
    from_date: dt.date,
    to_date: dt.date,
) -> FunnelView:
    counts = dict.fromkeys(_COUNTS, 0)
    arrays: dict[str, list[int]] = {name: [] for name in _ARRAYS}
    for row in rows:
        for name in _COUNTS:
            counts[name] += row[name]
        for name in _ARRAYS:
            _add(arrays[name], row[name])
    invited = counts["invited"]
    scores = arrays["score_hist"] + [0] * (10 - len(arrays["score_hist"]))
    answered, stopped = arrays["answered"], arrays["stopped"]
    stopped += [0] * (len(answered) - len(stopped))
    return FunnelView(
        template_id=template_id,
        from_date=from_date,
        to_date=to_date,
        stages=[
            FunnelStage(
                stage=stage,
                count=counts[stage],
                rate=round(counts[stage] / invited, 4) if invited else None,
            )
            for stage in _STAGES
        ],
        expired=counts["expired"],
        cancelled=counts["cancelled"],
        time_to_start=_percentiles(arrays["start_hist"]),
        time_to_complete=_percentiles(arrays["complete_hist"]),
        recommendations={
            "hire": counts["hire"],
            "consider": counts["consider"],
            "reject": counts["reject"],
        },
        scores=[ScoreBucket(low=10 * i, high=10 * (i + 1), count=scores[i]) for i in range(10)],
        started_no_answer=counts["started_no_answer"],
        drop_off=[
            QuestionDropOff(position=i + 1, answered=answered[i], stopped_after=stopped[i])
            for i in range(len(answered))
            if answered[i] or stopped[i]
        ],
        method=METHOD,
    )
