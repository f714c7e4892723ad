"""The analysis sweep in-process against real PostgreSQL, with Step Functions' answers given:
an attempt whose execution ended without a result, or never started, ends failed with a reason
and analysis.failed; a running one, or one just started, is left alone; HR can retry."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from shared.analysis import hr, workflow
from shared.analysis.engine_offline import OFFLINE_MODEL
from shared.analysis.sweep import Execution, ExecutionUnknown, stalled_reason, sweep
from tests.integration.analysis.conftest import deps_for
from tests.integration.analysis.fixtures import Interview, interview, started_analysis

GRACE_S = 600.0
MIN_AGE_S = 120.0
ARN = "arn:aws:states:us-east-1:000000000000:execution:analysis:{}"


def _backdate(pool: ConnectionPool, analysis_id: UUID, *, minutes: int) -> None:
    with pool.connection() as conn:
        conn.execute(
            "UPDATE analysis.analyses SET started_at = now() - make_interval(mins => %s)"
            " WHERE id = %s",
            (minutes, analysis_id),
        )


def _started(pool: ConnectionPool, item: Interview, *, minutes_ago: int = 0) -> UUID:
    analysis_id = started_analysis(pool, item)
    _backdate(pool, analysis_id, minutes=minutes_ago)
    return analysis_id


def _loaded(pool: ConnectionPool, analysis_id: UUID, execution: str) -> None:
    run = workflow.load(
        deps_for(pool),
        analysis_id,
        1,
        "offline",
        OFFLINE_MODEL,
        execution_arn=ARN.format(execution),
    )
    assert run["skip"] is False


def _state(pool: ConnectionPool, analysis_id: UUID) -> tuple[str, str | None]:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT status, reason FROM analysis.analyses WHERE id = %s", (analysis_id,)
        ).fetchone()
    assert row is not None
    return str(row[0]), row[1]


def _failed_events(pool: ConnectionPool) -> list[dict[str, Any]]:
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT envelope FROM platform.outbox WHERE event_type = 'analysis.failed'"
        ).fetchall()
    return [r[0] for r in rows]


def _text_interview() -> Interview:
    # Two answers: Load leaves them to the Map (one alone it would assess and store itself),
    # so a loaded attempt stays running, as the sweep must meet it.
    return interview(spoken=(), text="I would add an index.", choice_correct=True)


def test_stalled_attempts_fail_with_a_reason_and_live_ones_are_left_alone(
    pool: ConnectionPool,
) -> None:
    # Given running attempts in every situation the sweep meets
    timed_out = _started(pool, _text_interview(), minutes_ago=70)
    _loaded(pool, timed_out, "timed-out")
    aborted = _started(pool, _text_interview(), minutes_ago=3)
    _loaded(pool, aborted, "aborted")
    vanished = _started(pool, _text_interview(), minutes_ago=3)
    _loaded(pool, vanished, "vanished")
    running = _started(pool, _text_interview(), minutes_ago=30)
    _loaded(pool, running, "running")
    never_started = _started(pool, _text_interview(), minutes_ago=20)
    just_started = _started(pool, _text_interview())
    unreachable = _started(pool, _text_interview(), minutes_ago=5)
    _loaded(pool, unreachable, "unreachable")
    answers = {
        ARN.format("timed-out"): Execution(
            "TIMED_OUT", "States.Timeout", "Execution timed out after 3600 seconds"
        ),
        ARN.format("aborted"): Execution("ABORTED"),
        ARN.format("vanished"): Execution("MISSING"),
        ARN.format("running"): Execution("RUNNING"),
    }

    def describe(arn: str) -> Execution:
        if arn not in answers:
            raise ExecutionUnknown("throttled")
        return answers[arn]

    # When the sweep runs
    report = sweep(deps_for(pool), describe, min_age_s=MIN_AGE_S, start_grace_s=GRACE_S, limit=50)

    # Then each stalled attempt failed with its reason, and the others are still running (the
    # one started just now was not even checked)
    assert (report.checked, report.failed, report.unknown) == (6, 4, 1)
    status, reason = _state(pool, timed_out)
    assert status == "failed"
    assert reason is not None
    assert "TIMED_OUT" in reason
    assert "States.Timeout" in reason
    assert "ABORTED" in (_state(pool, aborted)[1] or "")
    assert "no longer exists" in (_state(pool, vanished)[1] or "")
    assert "took this attempt up within 600 s" in (_state(pool, never_started)[1] or "")
    for alive in (running, just_started, unreachable):
        assert _state(pool, alive) == ("running", None)
    # And each failure is published once, with its reason
    failed = {e["payload"]["analysisId"]: e["payload"]["reason"] for e in _failed_events(pool)}
    assert set(failed) == {str(a) for a in (timed_out, aborted, vanished, never_started)}

    # When the sweep runs again, nothing new fails (idempotent)
    again = sweep(deps_for(pool), describe, min_age_s=MIN_AGE_S, start_grace_s=GRACE_S, limit=50)
    assert again.failed == 0
    assert len(_failed_events(pool)) == 4


def test_hr_retries_a_swept_analysis_and_the_new_attempt_waits_for_its_own_execution(
    pool: ConnectionPool,
) -> None:
    # Given an analysis the sweep failed because its execution was aborted
    item = _text_interview()
    analysis_id = _started(pool, item, minutes_ago=10)
    _loaded(pool, analysis_id, "aborted")
    sweep(
        deps_for(pool),
        lambda _arn: Execution("ABORTED"),
        min_age_s=MIN_AGE_S,
        start_grace_s=GRACE_S,
        limit=50,
    )
    assert _state(pool, analysis_id)[0] == "failed"

    # When HR retries
    with pool.connection() as conn, conn.transaction():
        accepted = hr.retry_analysis(conn, item.company_id, item.invitation_id, "test")
    assert accepted.attempt == 2
    _backdate(pool, analysis_id, minutes=5)  # old enough to be checked, young enough to start

    # Then the new attempt does not inherit the old execution: the sweep checks it and leaves
    # it running
    report = sweep(
        deps_for(pool),
        lambda _arn: Execution("ABORTED"),
        min_age_s=MIN_AGE_S,
        start_grace_s=GRACE_S,
        limit=50,
    )
    assert (report.checked, report.failed) == (1, 0)
    assert _state(pool, analysis_id) == ("running", None)


def test_reasons_name_what_happened() -> None:
    assert stalled_reason(Execution("RUNNING"), 10_000, GRACE_S) is None
    assert stalled_reason(None, GRACE_S - 1, GRACE_S) is None
    assert stalled_reason(Execution("SUCCEEDED"), 5, GRACE_S) == (
        "the analysis workflow ended SUCCEEDED without recording a result"
    )
    failed = stalled_reason(Execution("FAILED", "Lambda.Unknown", "out\n of   memory"), 5, GRACE_S)
    # The cause is the step's own text: logged, never stored for HR (issue 13, finding 9)
    assert failed == (
        "the analysis workflow ended FAILED without recording a result (Lambda.Unknown)"
    )


def test_one_execution_claims_an_attempt_and_a_duplicate_start_skips(pool: ConnectionPool) -> None:
    # Given a started analysis whose first execution has loaded it
    analysis_id = _started(pool, _text_interview())
    _loaded(pool, analysis_id, "first")
    # When a duplicate start's execution loads it, then the first execution's Load is retried
    duplicate = workflow.load(
        deps_for(pool), analysis_id, 1, "offline", OFFLINE_MODEL, execution_arn=ARN.format("dup")
    )
    retried = workflow.load(
        deps_for(pool), analysis_id, 1, "offline", OFFLINE_MODEL, execution_arn=ARN.format("first")
    )
    # Then the duplicate skips, the retry goes on, and the claim stays with the first execution
    assert duplicate["skip"] is True
    assert retried["skip"] is False
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT execution_arn FROM analysis.analyses WHERE id = %s", (analysis_id,)
        ).fetchone()
    assert row == (ARN.format("first"),)
