"""PostgreSQL stopped in the middle of a media pipeline and an analysis, then started again
(issue 13, finding 7): routes answer 503 problem+json with Retry-After meanwhile, quickly;
afterwards every execution ends, both analyses complete, nothing is lost or done twice.

The cluster stopped is the one the stage under test uses (found by its port with
pg_lsclusters): `15 main` on a machine of its own, a cluster of the developer's on a shared one.
Stopping `main` needs OUTAGE_TEST_MAY_STOP_MAIN=1, so a run on a machine where other people's
tests use that cluster does not take it away from them.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from scripts import outage

pytestmark = pytest.mark.localstack


def test_a_postgres_outage_mid_pipeline_and_mid_analysis_loses_nothing_and_does_nothing_twice(
    api: httpx.Client, tmp_path: Path
) -> None:
    cluster = outage.cluster_for_port(outage.stage_database().port)
    if cluster.name == "main" and os.environ.get("OUTAGE_TEST_MAY_STOP_MAIN") != "1":
        pytest.skip("the stage uses the shared `main` cluster: set OUTAGE_TEST_MAY_STOP_MAIN=1")
    # Given a video answer being processed and an analysis running, when PostgreSQL stops
    # for 20 s and starts again
    result = outage.run(api, tmp_path, hold_s=20.0)
    # Then every route answered 503 problem+json with Retry-After, within a few seconds (health
    # with its report of the failing check, as documented)
    assert result.probes
    for probe in result.probes:
        assert probe.status == 503, probe
        expected = "application/json" if probe.path == "v1/health" else "application/problem+json"
        assert probe.content_type == expected, probe
        assert probe.retry_after is not None, probe
        assert int(probe.retry_after) > 0
        assert probe.seconds < 5, probe
    # And the platform answered 200 again within 5 s of PostgreSQL being back
    assert result.recovery_s <= 5, result.recovery_s
    # And the outage really hit work in flight: the video's pipeline and B's analysis (each
    # call to the scenario's fake Groq takes 10 s until PostgreSQL is back)
    assert result.media_in_flight, result
    assert result.analysis_in_flight, result
    assert result.details["groq_calls"], result
    # And every execution ended, both analyses completed, nothing lost or done twice
    assert result.executions_running == 0
    assert set(result.analyses.values()) == {"completed"}, result.analyses
    assert result.lost == 0, result.details
    assert result.duplicated == 0, result.details
