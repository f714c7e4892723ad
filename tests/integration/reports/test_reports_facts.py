"""The reports' read model against a real PostgreSQL: events through the deduplicated consumer
make the facts and the rollup; the funnel's numbers match a seeded data set exactly; a CSV
export read through the server-side cursor parses into exactly the expected rows, with a
formula in a candidate's name neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from psycopg_pool import ConnectionPool
from pydantic import BaseModel

from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.events.envelope import EventEnvelope
from shared.events.factory import new_event
from shared.models.events.analysis import AnalysisCompleted
from shared.models.events.interviews import (
    CandidateDecided,
    CompletedAnswer,
    CompletedQuestion,
    InvitationChanged,
    InvitationCompleted,
    InvitationCreated,
    InvitationExpired,
    InvitationStarted,
    ResponseSubmitted,
)
from shared.reports import analytics, dal
from shared.reports.csv_export import write_csv
from shared.reports.dal import EXPORT_COLUMNS
from shared.reports.projection import CONSUMER, on_event
from shared.settings import DatabaseSettings

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def pool(database_settings: DatabaseSettings) -> Iterator[ConnectionPool]:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with ConnectionPool(conninfo, min_size=1, max_size=4, open=True, name="itest") as opened:
        yield opened


class World:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool
        self.consumer = EventConsumer(
            CONSUMER,
            on_event,
            PostgresDeduplicator(pool.connection),
        )
        self.company = uuid.uuid4()
        self.questions = [
            CompletedQuestion(
                question_id=uuid.uuid4(),
                position=i,
                type="text",
                text=f"Question number {i}?",
                time_limit_s=60,
                required=True,
            )
            for i in (1, 2)
        ]

    def send(self, event: EventEnvelope) -> bool:
        body = json.dumps({"detail-type": event.event_type, "detail": event.to_detail()})
        return self.consumer.handle_body(body)

    def event(
        self, kind: str, payload: BaseModel, at: dt.datetime, company: uuid.UUID | None = None
    ) -> EventEnvelope:
        return new_event(
            kind,
            payload,
            source="itest",
            correlation_id="itest",
            tenant_id=company or self.company,
            occurred_at=at,
        )

    def invite(
        self, template: uuid.UUID, name: str, at: dt.datetime, company: uuid.UUID | None = None
    ) -> uuid.UUID:
        invitation = uuid.uuid4()
        payload = InvitationCreated(
            invitation_id=invitation,
            template_id=template,
            candidate_name=name,
            candidate_email=f"{invitation.hex[:8]}@example.com",
            expires_at=at + 7 * 24 * HOUR,
            actor_id=uuid.uuid4(),
        )
        self.send(self.event("invitation.created", payload, at, company))
        return invitation

    def start(self, template: uuid.UUID, invitation: uuid.UUID, at: dt.datetime) -> None:
        payload = InvitationStarted(invitation_id=invitation, template_id=template, started_at=at)
        self.send(self.event("invitation.started", payload, at))

    def answer(self, invitation: uuid.UUID, position: int, at: dt.datetime) -> None:
        question = self.questions[position - 1]
        payload = ResponseSubmitted(
            invitation_id=invitation,
            question_id=question.question_id,
            answer_id=uuid.uuid4(),
            attempt=1,
            kind="text",
            question=question,
        )
        self.send(self.event("response.submitted", payload, at))

    def complete(
        self, template: uuid.UUID, invitation: uuid.UUID, at: dt.datetime, positions: list[int]
    ) -> None:
        answers = [
            CompletedAnswer(
                answer_id=uuid.uuid4(),
                question_id=self.questions[p - 1].question_id,
                attempt=1,
                kind="text",
                text="an answer",
            )
            for p in positions
        ]
        payload = InvitationCompleted(
            invitation_id=invitation,
            template_id=template,
            reason="manual",
            completed_at=at,
            questions=self.questions,
            answers=answers,
        )
        self.send(self.event("invitation.completed", payload, at))

    def analysed(
        self, invitation: uuid.UUID, overall: float, recommendation: str, at: dt.datetime
    ) -> EventEnvelope:
        payload = AnalysisCompleted(
            analysis_id=uuid.uuid4(),
            invitation_id=invitation,
            attempt=1,
            engine="offline",
            model="offline-heuristic",
            overall=overall,
            recommendation=recommendation,  # type: ignore[arg-type]
            answers_scored=2,
            answers_unscorable=0,
        )
        event = self.event("analysis.completed", payload, at)
        self.send(event)
        return event

    def decide(self, invitation: uuid.UUID, decision: str, at: dt.datetime) -> None:
        payload = CandidateDecided(
            invitation_id=invitation,
            decision=decision,  # type: ignore[arg-type]
            note="a note",
            actor_id=uuid.uuid4(),
        )
        self.send(self.event("candidate.decided", payload, at))

    def funnel(self, template: uuid.UUID | None) -> Any:
        with self.pool.connection() as conn:
            rows = dal.funnel_days(
                conn,
                company_id=self.company,
                template_id=template,
                from_date=dt.date(2026, 3, 1),
                to_date=dt.date(2026, 3, 31),
            )
        return analytics.funnel(
            rows, template_id=template, from_date=dt.date(2026, 3, 1), to_date=dt.date(2026, 3, 31)
        )


def _seed(world: World) -> dict[str, Any]:
    """Template A: six invitations through every stage; template B: one; another company: one."""
    a, b = uuid.uuid4(), uuid.uuid4()
    i1 = world.invite(a, "Ada Lovelace", T0)
    world.start(a, i1, T0 + HOUR)
    world.answer(i1, 1, T0 + 1.2 * HOUR)
    world.answer(i1, 2, T0 + 1.4 * HOUR)
    world.complete(a, i1, T0 + 1.5 * HOUR, [1, 2])
    replayed = world.analysed(i1, 82.5, "hire", T0 + 2 * HOUR)
    world.decide(i1, "advance", T0 + 3 * HOUR)

    i2 = world.invite(a, '=HYPERLINK("http://evil.example","click")', T0 + HOUR)
    world.start(a, i2, T0 + 3 * HOUR)
    world.answer(i2, 1, T0 + 3.5 * HOUR)

    i3 = world.invite(a, "Zoë 王", T0 + 2 * HOUR)
    world.start(a, i3, T0 + 5 * HOUR)

    i4 = world.invite(a, "Grace Hopper", T0 + 3 * HOUR)
    world.start(a, i4, T0 + 3.5 * HOUR)
    world.complete(a, i4, T0 + 4.5 * HOUR, [1, 2])
    world.analysed(i4, 45.0, "reject", T0 + 5 * HOUR)
    world.decide(i4, "advance", T0 + 6 * HOUR)
    world.decide(i4, "reject", T0 + 7 * HOUR)  # changed: the later decision counts

    i5 = world.invite(a, "Cancelled Candidate", T0 + 4 * HOUR)
    world.send(
        world.event(
            "invitation.cancelled",
            InvitationChanged(
                invitation_id=i5, template_id=a, expires_at=T0, actor_id=uuid.uuid4()
            ),
            T0 + 5 * HOUR,
        )
    )
    i6 = world.invite(a, "Expired Candidate", T0 + 5 * HOUR)
    world.send(
        world.event(
            "invitation.expired",
            InvitationExpired(invitation_id=i6, template_id=a, previous_status="pending"),
            T0 + 200 * HOUR,
        )
    )

    i7 = world.invite(b, "Other Template", T0 + 24 * HOUR)
    world.start(b, i7, T0 + 25 * HOUR)
    world.complete(b, i7, T0 + 26 * HOUR, [1])
    world.analysed(i7, 60.0, "consider", T0 + 27 * HOUR)

    world.invite(a, "Another Company", T0, company=uuid.uuid4())
    # A redelivered event has no second effect.
    assert world.send(replayed) is False
    return {"a": a, "b": b, "ids": [i1, i2, i3, i4, i5, i6, i7]}


def test_funnel_matches_the_seeded_data_exactly(pool: ConnectionPool) -> None:
    # Given a seeded data set, delivered as events (one of them twice)
    world = World(pool)
    seeded = _seed(world)

    # When the funnel of template A is read
    view = world.funnel(seeded["a"])

    # Then every count is exactly what was seeded
    stages = {s.stage: s.count for s in view.stages}
    assert stages == {
        "invited": 6,
        "started": 4,
        "completed": 2,
        "analysed": 2,
        "advanced": 1,
        "rejected": 1,
    }
    assert (view.expired, view.cancelled) == (1, 1)
    assert view.recommendations == {"hire": 1, "consider": 0, "reject": 1}
    assert {b.low: b.count for b in view.scores if b.count} == {40: 1, 80: 1}
    assert [(d.position, d.answered, d.stopped_after) for d in view.drop_off] == [
        (1, 3, 1),
        (2, 2, 0),
    ]
    assert view.started_no_answer == 1
    # Time to start: 1 h, 2 h, 3 h and 0.5 h (exact median 1.5 h, p90 2.7 h), within 5 %.
    assert view.time_to_start.count == 4
    assert view.time_to_start.median_s == pytest.approx(5400, rel=0.05)
    assert view.time_to_start.p90_s == pytest.approx(9720, rel=0.05)
    assert view.time_to_complete.count == 2
    assert view.time_to_complete.median_s == pytest.approx(2700, rel=0.05)

    # And the company's funnel adds template B, and nothing of the other company
    company = {s.stage: s.count for s in world.funnel(None).stages}
    assert company == {
        "invited": 7,
        "started": 5,
        "completed": 3,
        "analysed": 3,
        "advanced": 1,
        "rejected": 1,
    }


class _Parts:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write_part(self, data: bytes) -> None:
        self.parts.append(data)


def test_csv_export_parses_into_exactly_the_rows(pool: ConnectionPool) -> None:
    # Given the seeded data set
    world = World(pool)
    seeded = _seed(world)

    # When template A is exported (Excel-friendly) through the server-side cursor
    sink = _Parts()
    with pool.connection() as conn, conn.transaction():
        rows = dal.export_rows(
            conn,
            company_id=world.company,
            template_id=seeded["a"],
            from_date=None,
            to_date=None,
            fetch_rows=2,
        )
        count, size = write_csv(rows, sink, part_size=5 * 1024 * 1024, excel=True)

    # Then the file starts with a BOM and parses into one row per invitation of A, in order
    data = b"".join(sink.parts)
    assert data.startswith("\ufeff".encode())
    assert (count, size) == (6, len(data))
    parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(parsed[0]) == list(EXPORT_COLUMNS)
    assert [r["invitation_id"] for r in parsed] == [str(i) for i in seeded["ids"][:6]]
    by_id = {r["invitation_id"]: r for r in parsed}
    first = by_id[str(seeded["ids"][0])]
    assert first["status"] == "completed"
    assert first["overall"] == "82.50"
    assert (first["recommendation"], first["decision"]) == ("hire", "advance")
    assert first["invited_at"] == "2026-03-02T09:00:00Z"
    assert by_id[str(seeded["ids"][3])]["decision"] == "reject"
    assert [r["status"] for r in parsed] == [
        "completed",
        "in_progress",
        "in_progress",
        "completed",
        "cancelled",
        "expired",
    ]
    # And the formula in a candidate's name is neutralised (text, never run)
    assert by_id[str(seeded["ids"][1])]["candidate_name"] == (
        '\'=HYPERLINK("http://evil.example","click")'
    )
    assert by_id[str(seeded["ids"][2])]["candidate_name"] == "Zoë 王"


_ROLLUP = (
    "SELECT template_id, day, invited, started, completed, analysed, advanced, rejected,"
    " expired, cancelled, hire, consider, reject, score_hist, start_hist, complete_hist,"
    " answered, stopped, started_no_answer FROM reports.funnel_daily WHERE company_id = %s"
    " ORDER BY template_id, day"
)


def _rollup(pool: ConnectionPool, company: uuid.UUID) -> list[tuple[Any, ...]]:
    """The company's rollup rows, histograms without the trailing zeros a count going back to 0
    leaves behind (the reads ignore them)."""

    def trimmed(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        while value and value[-1] == 0:
            value = value[:-1]
        return value

    with pool.connection() as conn:
        return [tuple(trimmed(v) for v in row) for row in conn.execute(_ROLLUP, (company,))]


def test_the_rollup_rebuilt_from_the_facts_is_what_the_trigger_kept(
    pool: ConnectionPool,
) -> None:
    # Given the seeded data set, its rollup kept row by row by the trigger
    world = World(pool)
    seeded = _seed(world)
    kept = _rollup(pool, world.company)
    before, before_a = world.funnel(None), world.funnel(seeded["a"])
    assert len(kept) == 2  # template A's day and template B's
    # When the rollup is rebuilt from the facts in one statement
    with pool.connection() as conn:
        conn.execute("SELECT reports.rebuild_funnel(%s)", (world.company,))
    # Then it is the same, and so is the funnel read off it
    assert _rollup(pool, world.company) == kept
    assert world.funnel(None) == before
    assert world.funnel(seeded["a"]) == before_a


def test_a_bulk_load_skips_the_trigger_and_the_rebuild_counts_it(pool: ConnectionPool) -> None:
    # Given 2,000 facts written in one transaction with the bulk switch on
    company, template = uuid.uuid4(), uuid.uuid4()
    with pool.connection() as conn, conn.transaction():
        conn.execute("SET LOCAL reports.bulk_load = 'on'")
        conn.execute(
            "INSERT INTO reports.invitation_facts (invitation_id, company_id, template_id,"
            " invited_at, started_at, completed_at, answered_positions)"
            " SELECT gen_random_uuid(), %s, %s, %s, CASE WHEN n %% 2 = 0 THEN %s END,"
            " CASE WHEN n %% 4 = 0 THEN %s END,"
            " CASE WHEN n %% 2 = 0 THEN '{1}'::smallint[] ELSE '{}' END"
            " FROM generate_series(1, 2000) n",
            (company, template, T0, T0 + HOUR, T0 + 2 * HOUR),
        )
        # Then the trigger counted nothing
        skipped = conn.execute(
            "SELECT count(*) FROM reports.funnel_daily WHERE company_id = %s", (company,)
        ).fetchone()
        assert skipped == (0,)
        # When the load rebuilds the company's rollup
        conn.execute("SELECT reports.rebuild_funnel(%s)", (company,))
    # Then the funnel counts every fact, and the trigger is back for the next write
    with pool.connection() as conn:
        days = dal.funnel_days(
            conn, company_id=company, template_id=None, from_date=T0.date(), to_date=T0.date()
        )
    view = analytics.funnel(days, template_id=None, from_date=T0.date(), to_date=T0.date())
    stages = {s.stage: s.count for s in view.stages}
    assert (stages["invited"], stages["started"], stages["completed"]) == (2000, 1000, 500)
    assert view.started_no_answer == 0
    assert [(d.position, d.answered, d.stopped_after) for d in view.drop_off] == [(1, 1000, 500)]
    with pool.connection() as conn:
        conn.execute(
            "INSERT INTO reports.invitation_facts (invitation_id, company_id, template_id,"
            " invited_at) VALUES (%s, %s, %s, %s)",
            (uuid.uuid4(), company, template, T0),
        )
        invited = conn.execute(
            "SELECT invited FROM reports.funnel_daily WHERE company_id = %s", (company,)
        ).fetchone()
    assert invited == (2001,)
