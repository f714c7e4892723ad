"""Builders for analysis tests: a completed interview (questions, answers, spoken transcripts),
its events, and the media context's transcript rows it refers to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from shared.analysis import dal, workflow
from shared.analysis.engine_offline import OFFLINE_MODEL
from shared.analysis.trigger import start_if_ready
from shared.analysis.workflow import Engine
from shared.events import EventEnvelope, new_event
from shared.models.events import interviews as iv
from shared.models.events.media import MediaFailed, MediaProcessed
from tests.integration.analysis.conftest import deps_for

STRONG = (
    "I would design the rate limiter as a token bucket per client key, because it allows short "
    "bursts while keeping the average rate. The buckets live in Redis so every API node shares "
    "the same state. When a client is limited we answer 429 with a retry-after header. "
    "For example, 100 requests per minute with a burst of 20 worked well at 3000 requests "
    "per second."
)
OFF_TOPIC = "I enjoy hiking in the mountains with my family during the summer holidays."
TEXT_ANSWER = (
    "I would start with the slow query log, add the missing index on customer id, and measure "
    "again. Because reads dominate, a read replica for the reports would take 40 percent of "
    "the load."
)


def segments_of(text: str, seconds_per_sentence: float = 3.0) -> list[dict[str, Any]]:
    parts = [p.strip() + "." for p in text.split(".") if p.strip()]
    return [
        {"start": i * seconds_per_sentence, "end": (i + 1) * seconds_per_sentence, "text": p}
        for i, p in enumerate(parts)
    ]


@dataclass
class Interview:
    company_id: UUID
    completed: iv.InvitationCompleted
    transcripts: dict[UUID, str] = field(default_factory=dict)  # upload id -> what was said

    @property
    def invitation_id(self) -> UUID:
        return self.completed.invitation_id

    @property
    def upload_ids(self) -> list[UUID]:
        return [a.upload_id for a in self.completed.answers if a.upload_id is not None]


def interview(
    company_id: UUID | None = None,
    *,
    spoken: tuple[str, ...] = (STRONG, OFF_TOPIC),
    text: str | None = TEXT_ANSWER,
    choice_correct: bool | None = True,
    weights: iv.ScoringWeights | None = None,
    ai_analysis: bool = True,
    skills: tuple[str, ...] = (),
) -> Interview:
    """Media answers saying ``spoken``, optionally a text and a multiple-choice answer
    (``ai_analysis`` False: the candidate declined AI analysis)."""
    company = company_id or uuid.uuid4()
    invitation = uuid.uuid4()
    questions: list[iv.CompletedQuestion] = []
    answers: list[iv.CompletedAnswer] = []
    transcripts: dict[UUID, str] = {}
    for said in spoken:
        question_id, upload_id = uuid.uuid4(), uuid.uuid4()
        questions.append(
            iv.CompletedQuestion(
                question_id=question_id,
                position=len(questions) + 1,
                type="video",
                text="Describe how you would design a rate limiter for a public HTTP API.",
                rubric="token bucket or sliding window, per-client keys, shared state, headers",
                time_limit_s=120,
                required=True,
            )
        )
        answers.append(
            iv.CompletedAnswer(
                answer_id=uuid.uuid4(),
                question_id=question_id,
                attempt=1,
                kind="media",
                upload_id=upload_id,
                media_key=f"raw/{company}/{invitation}/{question_id}/{upload_id}.webm",
            )
        )
        transcripts[upload_id] = said
    if text is not None:
        question_id = uuid.uuid4()
        questions.append(
            iv.CompletedQuestion(
                question_id=question_id,
                position=len(questions) + 1,
                type="text",
                text="How would you speed up a slow reporting database?",
                time_limit_s=300,
                required=True,
            )
        )
        answers.append(
            iv.CompletedAnswer(
                answer_id=uuid.uuid4(), question_id=question_id, attempt=1, kind="text", text=text
            )
        )
    if choice_correct is not None:
        question_id, right, wrong = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        questions.append(
            iv.CompletedQuestion(
                question_id=question_id,
                position=len(questions) + 1,
                type="multiple_choice",
                text="Which HTTP status code means too many requests?",
                time_limit_s=30,
                required=True,
                options=[
                    iv.ChoiceOption(id=right, text="429", correct=True),
                    iv.ChoiceOption(id=wrong, text="418", correct=False),
                ],
            )
        )
        answers.append(
            iv.CompletedAnswer(
                answer_id=uuid.uuid4(),
                question_id=question_id,
                attempt=1,
                kind="choice",
                selected_option_ids=[right if choice_correct else wrong],
            )
        )
    completed = iv.InvitationCompleted(
        invitation_id=invitation,
        template_id=uuid.uuid4(),
        reason="manual",
        completed_at=datetime.now(UTC),
        language="en",
        scoring_weights=weights or iv.ScoringWeights(),
        ai_analysis=ai_analysis,
        required_skills=[iv.RequiredSkill(skill_id=uuid.uuid4(), name=n) for n in skills],
        questions=questions,
        answers=answers,
    )
    return Interview(company, completed, transcripts)


def completed_event(item: Interview) -> EventEnvelope:
    return new_event(
        "invitation.completed",
        item.completed,
        source="platform.interviews",
        correlation_id=f"test-{uuid.uuid4().hex[:8]}",
        tenant_id=item.company_id,
    )


def media_events(item: Interview, *, failed: set[UUID] | None = None) -> list[EventEnvelope]:
    events = []
    for answer in item.completed.answers:
        if answer.upload_id is None:
            continue
        payload: MediaProcessed | MediaFailed
        if failed and answer.upload_id in failed:
            payload = MediaFailed(
                media_id=uuid.uuid4(),
                upload_id=answer.upload_id,
                invitation_id=item.invitation_id,
                question_id=answer.question_id,
                failed_step="validating",
                reason="the file is not a video (real container: none)",
            )
            event_type = "media.failed"
        else:
            payload = MediaProcessed(
                media_id=uuid.uuid4(),
                upload_id=answer.upload_id,
                invitation_id=item.invitation_id,
                question_id=answer.question_id,
                duration_s=12.5,
                mp4_key=f"media/{item.company_id}/{item.invitation_id}/{answer.upload_id}/answer.mp4",
                transcript_engine="groq",
                transcript_language="en",
            )
            event_type = "media.processed"
        events.append(
            new_event(
                event_type,
                payload,
                source="platform.media",
                correlation_id=f"test-{uuid.uuid4().hex[:8]}",
                tenant_id=item.company_id,
            )
        )
    return events


def insert_transcripts(conn: psycopg.Connection[Any], item: Interview) -> None:
    """The media context's rows for the interview's uploads (a ready asset with a transcript)."""
    for upload_id, said in item.transcripts.items():
        asset = conn.execute(
            "INSERT INTO media.assets (bucket, object_key, upload_id, company_id, invitation_id,"
            " media_kind, status, ready_at, transcript_status, transcript_ready_at,"
            " playback_status, playback_ready_at) VALUES ('fixture-bucket', %s, %s, %s, %s,"
            " 'video', 'ready', now(), 'ready', now(), 'ready', now()) RETURNING id",
            (
                f"raw/{item.company_id}/{upload_id}.webm",
                upload_id,
                item.company_id,
                item.invitation_id,
            ),
        ).fetchone()
        assert asset is not None
        conn.execute(
            "INSERT INTO media.transcripts (asset_id, upload_id, company_id, text, language,"
            " engine, model, segments) VALUES (%s, %s, %s, %s, 'en', 'groq',"
            " 'whisper-large-v3-turbo', %s)",
            (asset[0], upload_id, item.company_id, said, Jsonb(segments_of(said))),
        )


def started_analysis(
    pool: ConnectionPool, item: Interview, failed: frozenset[UUID] = frozenset()
) -> UUID:
    """The analysis the trigger starts once the interview and its media outcomes are in
    (``failed`` uploads failed in the media pipeline)."""
    with pool.connection() as conn, conn.transaction():
        insert_transcripts(conn, item)
        dal.lock_trigger(conn, item.invitation_id, item.company_id)
        dal.save_completed(
            conn,
            item.invitation_id,
            item.completed.model_dump(mode="json"),
            item.completed.completed_at,
        )
        for upload_id in item.upload_ids:
            dal.record_media_outcome(
                conn,
                upload_id=upload_id,
                invitation_id=item.invitation_id,
                company_id=item.company_id,
                status="failed" if upload_id in failed else "ready",
                reason="transcoding failed: corrupt stream" if upload_id in failed else None,
            )
        analysis_id = start_if_ready(conn, item.invitation_id, item.company_id, "test")
    assert analysis_id is not None
    return analysis_id


def run_offline(pool: ConnectionPool, analysis_id: UUID, engine: Engine) -> None:
    """The interview's workflow in-process, step by step, as the state machine runs it (Load,
    each answer, the summary, Store), with ``engine`` (an offline one: its name is offline)."""
    deps = deps_for(pool, engine)
    run = workflow.load(deps, analysis_id, 1, "offline", OFFLINE_MODEL)
    for answer_id in run["answerIds"]:
        assert workflow.analyze_answer(deps, analysis_id, 1, UUID(answer_id))["status"] == "done"
    assert workflow.summarize(deps, analysis_id, 1)["status"] == "done"
    workflow.store(deps, analysis_id, 1)
