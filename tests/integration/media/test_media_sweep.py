"""The media sweep (issue 13, finding 7): an asset whose execution ended unfinished is handed
to one new execution, which Register lets through; a submitted upload no asset names gets its
pipeline started; a running execution is left alone; an old one is failed with media.failed (a
transcript stored before is kept, issue 16)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest

from shared.media import dal, pipeline, public
from shared.media.errors import SweepUnavailable
from shared.media.pipeline import Deps
from shared.media.sweep import Workflow, sweep
from shared.media.transcript import Transcript
from tests.integration.media import rows

pytestmark = pytest.mark.localstack

MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:media"
BUCKET = "sweep-test-bucket"


@dataclass
class FakeStepFunctions:
    """Executions by ARN, as Step Functions keeps them; starts recorded with their input."""

    statuses: dict[str, str] = field(default_factory=dict)
    started: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    objects: dict[str, tuple[str, int]] = field(default_factory=dict)
    down: bool = False

    def workflow(self) -> Workflow:
        def status(arn: str) -> str:
            if self.down:
                raise SweepUnavailable("Step Functions did not answer")
            return self.statuses.get(arn, "MISSING")

        def start(name: str, payload: Mapping[str, Any]) -> None:
            if any(n == name for n, _ in self.started):
                return  # the same name again: Step Functions starts nothing new
            self.started.append((name, payload))
            self.statuses[f"{MACHINE.replace(':stateMachine:', ':execution:')}:{name}"] = "RUNNING"

        return Workflow(
            state_machine_arn=MACHINE,
            status=status,
            start=start,
            head=lambda _bucket, key: self.objects.get(key),
        )


def _register_event(upload: rows.UploadRows, version: str = "v1") -> dict[str, Any]:
    return {
        "id": "s3-event",
        "detail": {
            "bucket": {"name": BUCKET},
            "object": {"key": upload.key, "version-id": version, "size": 1000},
        },
    }


def _sweep(deps: Deps, fake: FakeStepFunctions, **kw: float) -> Any:
    return sweep(
        deps,
        fake.workflow(),
        bucket=BUCKET,
        min_age_s=kw.get("min_age_s", 0),
        max_age_s=kw.get("max_age_s", 3600),
        limit=50,
    )


def test_an_asset_whose_execution_ended_unfinished_is_redriven_once_and_register_lets_it_through(
    conn: psycopg.Connection[Any], make_deps: Callable[..., Deps]
) -> None:
    deps = make_deps()
    # Given an asset registered by an execution that then ended without finishing it
    upload = rows.upload(conn)
    first = f"{MACHINE.replace(':stateMachine:', ':execution:')}:first"
    state = pipeline.register(_register_event(upload), first, deps)
    assert not isinstance(state, dict)
    fake = FakeStepFunctions(statuses={first: "FAILED"})
    # When the sweep runs twice (as two overlapping schedules would)
    report = _sweep(deps, fake)
    again = _sweep(deps, fake)
    # Then one new execution was started, for the same object version
    assert report.redriven == 1
    assert again.redriven == 0
    [(name, payload)] = fake.started
    assert payload["detail"]["object"] == {"key": upload.key, "version-id": "v1", "size": 1000}
    # And Register lets that execution take the asset over, and only that one
    redrive_arn = f"{MACHINE.replace(':stateMachine:', ':execution:')}:{name}"
    taken = pipeline.register(dict(payload), redrive_arn, deps)
    assert not isinstance(taken, dict)
    assert taken.asset_id == state.asset_id
    assert pipeline.register(_register_event(upload), first, deps) == {"duplicate": True}
    # And there is still one asset for the upload
    count = conn.execute(
        "SELECT count(*) FROM media.assets WHERE upload_id = %s", (upload.upload_id,)
    ).fetchone()
    assert count == (1,)


def test_a_running_execution_is_left_alone_and_an_unknown_status_is_tried_later(
    conn: psycopg.Connection[Any], make_deps: Callable[..., Deps]
) -> None:
    deps = make_deps()
    upload = rows.upload(conn)
    arn = f"{MACHINE.replace(':stateMachine:', ':execution:')}:busy"
    pipeline.register(_register_event(upload), arn, deps)
    fake = FakeStepFunctions(statuses={arn: "RUNNING"})
    assert _sweep(deps, fake).redriven == 0
    fake.down = True
    assert _sweep(deps, fake).unknown >= 1
    assert fake.started == []


def test_an_asset_too_old_to_redrive_is_failed_with_media_failed_once(
    conn: psycopg.Connection[Any], make_deps: Callable[..., Deps]
) -> None:
    deps = make_deps()
    upload = rows.upload(conn)
    arn = f"{MACHINE.replace(':stateMachine:', ':execution:')}:old"
    pipeline.register(_register_event(upload), arn, deps)
    conn.execute(
        "UPDATE media.assets SET created_at = now() - interval '2 hours' WHERE upload_id = %s",
        (upload.upload_id,),
    )
    fake = FakeStepFunctions(statuses={arn: "TIMED_OUT"})
    assert _sweep(deps, fake, max_age_s=3600).failed == 1
    assert _sweep(deps, fake, max_age_s=3600).failed == 0
    row = conn.execute(
        "SELECT status, reason FROM media.assets WHERE upload_id = %s", (upload.upload_id,)
    ).fetchone()
    assert row is not None
    assert row[0] == "failed"
    events = conn.execute(
        "SELECT count(*) FROM platform.outbox WHERE event_type = 'media.failed'"
        " AND envelope -> 'payload' ->> 'uploadId' = %s",
        (str(upload.upload_id),),
    ).fetchone()
    assert events == (1,)
    assert fake.started == []


def test_a_submitted_upload_no_asset_names_gets_its_pipeline_started(
    conn: psycopg.Connection[Any], make_deps: Callable[..., Deps]
) -> None:
    deps = make_deps()
    # Given an answer submitted with an upload whose S3 event never became an asset
    upload = rows.upload(conn)
    conn.execute(
        """INSERT INTO interviews.answers (company_id, invitation_id, question_id, attempt, kind,
                                           upload_id, submitted_at)
           VALUES (%s, %s, %s, 1, 'media', %s, now() - interval '10 minutes')""",
        (upload.company_id, upload.invitation_id, upload.question_id, upload.upload_id),
    )
    fake = FakeStepFunctions(objects={upload.key: ("v7", 4242)})
    # When the sweep runs
    report = _sweep(deps, fake, min_age_s=60)
    # Then the pipeline was started for the object's current version, as S3 would have
    assert report.started == 1
    [(_name, payload)] = fake.started
    assert payload["detail"]["bucket"] == {"name": BUCKET}
    assert payload["detail"]["object"] == {"key": upload.key, "version-id": "v7", "size": 4242}
    # And an answer younger than the sweep's minimum age is not looked at
    other = rows.upload(conn)
    conn.execute(
        """INSERT INTO interviews.answers (company_id, invitation_id, question_id, attempt, kind,
                                           upload_id)
           VALUES (%s, %s, %s, 1, 'media', %s)""",
        (other.company_id, other.invitation_id, other.question_id, other.upload_id),
    )
    fake.objects[other.key] = ("v1", 1)
    _sweep(deps, fake, min_age_s=60)
    assert all(p["detail"]["object"]["key"] != other.key for _, p in fake.started)


def _store_transcript(deps: Deps, state: Any) -> None:
    """What the Transcribe step leaves: the transcript stored, the MP4 still transcoding."""
    transcript = Transcript(text="Hello.", language="en", engine="groq", model="m", segments=[])
    with deps.transaction() as tx:
        dal.mark_step(tx, state.asset_id, "transcoding")
        stored = dal.store_transcript(
            tx, state.asset_id, None, transcript, state.upload_id, state.company_id
        )
    assert stored is not None


def test_an_asset_with_its_transcript_but_no_playback_is_redriven_and_then_failed_keeping_it(
    conn: psycopg.Connection[Any], make_deps: Callable[..., Deps]
) -> None:
    deps = make_deps()
    # Given an asset whose transcript was stored, and whose execution ended before the MP4
    upload = rows.upload(conn)
    arn = f"{MACHINE.replace(':stateMachine:', ':execution:')}:half"
    state = pipeline.register(_register_event(upload), arn, deps)
    assert not isinstance(state, dict)
    _store_transcript(deps, state)
    fake = FakeStepFunctions(statuses={arn: "FAILED"})
    # Then it is still unfinished: the sweep re-drives it (the playback is what is missing)
    assert _sweep(deps, fake).redriven == 1
    [(name, _payload)] = fake.started
    # When that execution ends too and the asset is too old to try again
    fake.statuses[f"{MACHINE.replace(':stateMachine:', ':execution:')}:{name}"] = "TIMED_OUT"
    conn.execute(
        "UPDATE media.assets SET created_at = now() - interval '2 hours' WHERE id = %s",
        (state.asset_id,),
    )
    assert _sweep(deps, fake, max_age_s=3600).failed == 1
    # Then the media is failed with the transcript kept and readable, and media.failed says so
    row = conn.execute(
        "SELECT status, transcript_status, playback_status FROM media.assets WHERE id = %s",
        (state.asset_id,),
    ).fetchone()
    assert row == ("failed", "ready", "failed")
    assert public.transcript_for_upload(conn, upload.upload_id) is not None
    kept = conn.execute(
        "SELECT envelope -> 'payload' ->> 'transcriptKept' FROM platform.outbox"
        " WHERE event_type = 'media.failed' AND envelope -> 'payload' ->> 'uploadId' = %s",
        (str(upload.upload_id),),
    ).fetchall()
    assert kept == [("true",)]
