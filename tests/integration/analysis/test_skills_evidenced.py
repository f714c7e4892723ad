"""Skills evidenced in answers (issue 19), against real PostgreSQL: the template's required
skills reach the engine by name, the skills an answer evidences are stored with verified quotes
(and where they were said), HR reads them per answer and per skill, the explanation shows the
names the model saw, and an erasure removes the quotes while the findings stay."""

from __future__ import annotations

import uuid

from psycopg_pool import ConnectionPool

from shared.analysis import dal, hr, incremental, workflow
from shared.analysis.public import erase_candidate_words
from shared.events import new_event
from shared.models.events import interviews as iv
from tests.integration.analysis.conftest import deps_for
from tests.integration.analysis.fixtures import (
    OFF_TOPIC,
    STRONG,
    insert_transcripts,
    interview,
    run_offline,
    started_analysis,
)
from tests.integration.analysis.test_explanation import RecordingEngine

SKILLS = ("Redis", "Kubernetes", "read replica")


def test_the_required_skills_evidenced_are_stored_with_quotes_and_shown_to_hr(
    pool: ConnectionPool,
) -> None:
    # Given an interview whose template requires three skills: the recording names Redis, the
    # written answer a read replica, nothing names Kubernetes
    item = interview(spoken=(STRONG, OFF_TOPIC), skills=SKILLS)
    ids = {s.name: s.skill_id for s in item.completed.required_skills}
    engine = RecordingEngine()

    # When the interview is analysed
    run_offline(pool, started_analysis(pool, item), engine)
    with pool.connection() as conn:
        view = hr.get_analysis(conn, item.company_id, item.invitation_id)

    # Then the engine was given the skills by name (and id), for every answer it read
    assert {tuple(s.name for s in given.skills) for given in engine.inputs} == {SKILLS}
    # and HR reads, per answer, the skills it evidences with the verbatim quote and its time
    by_position = {a.position: a for a in view.answers}
    (redis,) = by_position[1].skills_evidenced
    assert (redis.skill_id, redis.name) == (ids["Redis"], "Redis")
    assert redis.quote is not None
    assert "Redis" in redis.quote.text
    assert redis.quote.text in STRONG
    assert redis.quote.start is not None
    assert redis.quote.end is not None
    assert by_position[2].skills_evidenced == []
    (replica,) = by_position[3].skills_evidenced
    assert replica.name == "read replica"
    assert replica.quote is not None
    assert replica.quote.start is None  # a written answer
    # and, per required skill, whether and where the answers evidence it
    assert [(s.name, s.evidenced, [e.position for e in s.evidence]) for s in view.skills] == [
        ("Redis", True, [1]),
        ("Kubernetes", False, []),
        ("read replica", True, [3]),
    ]
    # and the explanation shows the names the model saw
    assert view.explanation is not None
    assert {tuple(a.model_input.skills) for a in view.explanation.answers if a.model_input} == {
        SKILLS
    }

    # When the candidate's words are erased
    with pool.connection() as conn, conn.transaction():
        erase_candidate_words(conn, item.company_id, item.invitation_id)
        after = hr.get_analysis(conn, item.company_id, item.invitation_id)
        stored = conn.execute(
            "SELECT skills_evidenced::text FROM analysis.answer_results r"
            " JOIN analysis.analyses a ON a.id = r.analysis_id WHERE a.invitation_id = %s",
            (item.invitation_id,),
        ).fetchall()
    # Then which skills were evidenced stays, and no quote of the candidate's is left
    assert [(s.name, s.evidenced) for s in after.skills] == [
        ("Redis", True),
        ("Kubernetes", False),
        ("read replica", True),
    ]
    assert all(e.quote is None for s in after.skills for e in s.evidence)
    assert all(e.quote is None for a in after.answers for e in a.skills_evidenced)
    leaked = ("Redis so every", "replica for the reports")
    assert not any(words in text for words in leaked for (text,) in stored)


def test_an_answer_assessed_as_it_arrives_carries_the_skills_of_its_submission(
    pool: ConnectionPool,
) -> None:
    # Given a recording submitted with the template's required skills, its transcript stored
    item = interview(spoken=(STRONG,), text=None, choice_correct=None, skills=SKILLS)
    with pool.connection() as conn, conn.transaction():
        insert_transcripts(conn, item)
    (answer,) = item.completed.answers
    (question,) = item.completed.questions
    submitted = iv.ResponseSubmitted(
        invitation_id=item.invitation_id,
        question_id=answer.question_id,
        answer_id=answer.answer_id,
        attempt=1,
        kind="media",
        upload_id=answer.upload_id,
        question=question,
        answer=answer,
        language="en",
        ai_analysis=True,
        required_skills=item.completed.required_skills,
    )
    envelope = new_event(
        "response.submitted",
        submitted,
        source="platform.interviews",
        correlation_id=f"test-{uuid.uuid4().hex[:8]}",
        tenant_id=item.company_id,
    )
    with pool.connection() as conn, conn.transaction():
        incremental.on_submitted(conn, envelope, item.company_id)
        assert answer.upload_id is not None
        dal.record_media_outcome(
            conn,
            upload_id=answer.upload_id,
            invitation_id=item.invitation_id,
            company_id=item.company_id,
            status="transcribed",
            reason=None,
        )
        incremental.on_media(conn, answer.upload_id, envelope)

    # When the answer workflow assesses it, before the interview completes
    engine = RecordingEngine()
    assert workflow.assess_answer(deps_for(pool, engine), answer.answer_id)["status"] == "done"

    # Then the engine saw the skills, and the stored assessment holds the evidence
    (given,) = engine.inputs
    assert [s.name for s in given.skills] == list(SKILLS)
    with pool.connection() as conn:
        row = dal.assessment(conn, answer.answer_id)
    assert row is not None
    assert row.outcome is not None
    evidenced = row.outcome["skills_evidenced"]
    assert [e["name"] for e in evidenced] == ["Redis"]
    assert "Redis" in evidenced[0]["quote"]["text"]
