"""HR's interview use cases against real PostgreSQL (and LocalStack's S3 for playback URLs):
lifecycle rules, versions, tenancy, idempotency, bulk reports, review and the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from scripts import localenv
from shared.dal import idempotency
from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.errors import ConflictError, NotFoundError, UnprocessableError
from shared.identity import accounts, companies
from shared.identity import dal as identity_dal
from shared.identity.caller import Caller, load_caller
from shared.identity.models import CompanyCreate
from shared.interviews import dal, invitations, review, storage, templates
from shared.interviews.models import (
    ChoiceOptionIn,
    DecisionRequest,
    InvitationBulkCreate,
    InvitationCreate,
    InvitationWithLink,
    QuestionCreate,
    QuestionUpdate,
    ReorderRequest,
    ReviewRequest,
    TemplateCreate,
    TemplateOut,
    TemplateUpdate,
)
from shared.interviews.tokens import hash_token
from shared.models.events.interviews import (
    CandidateDecided,
    InvitationCreated,
    TemplateArchived,
    TemplatePublished,
)
from shared.settings import DatabaseSettings
from tests.integration.conftest import LOCALSTACK
from tests.integration.identity.conftest import FAST_HASHER

Conn = psycopg.Connection[Any]
LINKS = invitations.LinkMaker("https://app.example.com")


@pytest.fixture(scope="module")
def conn() -> Iterator[Conn]:
    """One migrated throwaway database for this module; every test makes its own companies."""
    name = f"itest_hr_{uuid.uuid4().hex[:10]}"
    admin = conninfo_for(DatabaseSettings(name="postgres", secret_arn=None))
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        conninfo = conninfo_for(DatabaseSettings(name=name, secret_arn=None))
        migrate(conninfo)
        with psycopg.connect(conninfo, autocommit=True) as connection:
            yield connection
    finally:
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _user(conn: Conn, role: str = "hr") -> Caller:
    with conn.transaction():
        out = accounts.register(
            conn,
            f"{role}-{uuid.uuid4().hex[:8]}@example.com",
            "correct horse 42 battery",
            correlation_id="t",
            hasher=FAST_HASHER,
        )
        identity_dal.set_role(conn, out.id, role)  # type: ignore[arg-type]
    return load_caller(conn, str(out.id), "t")


def _hr(conn: Conn) -> Caller:
    """An HR user owning a fresh company."""
    caller = _user(conn)
    with conn.transaction():
        companies.create_company(conn, caller, CompanyCreate(name="Acme"))
    return load_caller(conn, str(caller.id), "t")


def _question(kind: str = "text", text: str = "Tell us about a hard bug.") -> QuestionCreate:
    options = None
    if kind == "multiple_choice":
        options = [ChoiceOptionIn(text="Yes", correct=True), ChoiceOptionIn(text="No")]
    return QuestionCreate.model_validate({"type": kind, "text": text, "options": options})


def _template(conn: Conn, hr: Caller, *, questions: int = 1, publish: bool = False) -> TemplateOut:
    with conn.transaction():
        template = templates.create_template(conn, hr, TemplateCreate(title="Backend engineer"))
        for n in range(questions):
            templates.add_question(conn, hr, template.id, _question(text=f"Question number {n}"))
        if publish:
            templates.publish_template(conn, hr, template.id)
    return templates.get_template(conn, hr, template.id)


def _events(conn: Conn, event_type: str, subject: uuid.UUID) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT envelope FROM platform.outbox WHERE event_type = %s ORDER BY created_at",
        (event_type,),
    ).fetchall()
    return [r[0] for r in rows if str(subject) in str(r[0]["payload"])]


def _invite(
    conn: Conn, hr: Caller, template_id: uuid.UUID, email: str | None = None
) -> InvitationWithLink:
    body = InvitationCreate(
        template_id=template_id,
        candidate_name="Grace Hopper",
        candidate_email=email or f"grace-{uuid.uuid4().hex[:8]}@example.com",
    )
    with conn.transaction():
        return invitations.create_invitation(conn, hr, body, LINKS)


# ---- templates -----------------------------------------------------------------------------
def test_stale_version_update_is_a_conflict_and_changes_nothing(conn: Conn) -> None:
    # Given a template at version 1, updated once (version 2)
    hr = _hr(conn)
    template = _template(conn, hr, questions=0)
    with conn.transaction():
        updated = templates.update_template(
            conn, hr, template.id, TemplateUpdate(version=template.version, title="Renamed")
        )
    assert updated.version == template.version + 1

    # When a second writer sends the version it read before / Then 409, and nothing changed
    with pytest.raises(ConflictError, match="version"), conn.transaction():
        templates.update_template(
            conn, hr, template.id, TemplateUpdate(version=template.version, title="Lost update")
        )
    assert templates.get_template(conn, hr, template.id).title == "Renamed"


def test_only_a_draft_can_be_deleted(conn: Conn) -> None:
    # Given a draft and a published template
    hr = _hr(conn)
    draft = _template(conn, hr)
    live = _template(conn, hr, publish=True)

    # When HR deletes both / Then the draft is gone and the live one is a 409
    with conn.transaction():
        templates.delete_template(conn, hr, draft.id)
    with pytest.raises(NotFoundError):
        templates.get_template(conn, hr, draft.id)
    with pytest.raises(ConflictError), conn.transaction():
        templates.delete_template(conn, hr, live.id)
    assert templates.get_template(conn, hr, live.id).status == "active"


def test_publishing_needs_a_question_and_emits_template_published(conn: Conn) -> None:
    # Given an empty draft
    hr = _hr(conn)
    template = _template(conn, hr, questions=0)

    # When HR publishes it / Then 409 until it has a question
    with pytest.raises(ConflictError, match="question"), conn.transaction():
        templates.publish_template(conn, hr, template.id)
    with conn.transaction():
        templates.add_question(conn, hr, template.id, _question())
        published = templates.publish_template(conn, hr, template.id)
        again = templates.publish_template(conn, hr, template.id)

    # and then it is active, and one template.published went to the outbox with its payload
    assert published.status == "active"
    assert published.published_at is not None
    assert again.version == published.version
    (event,) = _events(conn, "template.published", template.id)
    payload = TemplatePublished.model_validate(event["payload"])
    assert payload == TemplatePublished(
        template_id=template.id,
        title="Backend engineer",
        version=published.version,
        question_count=1,
        actor_id=hr.id,
    )
    assert event["tenantId"] == str(hr.user.company_id)
    assert event["source"] == "interviews"


def test_an_archived_template_is_read_only_and_terminal(conn: Conn) -> None:
    # Given a published template, archived
    hr = _hr(conn)
    template = _template(conn, hr, publish=True)
    with conn.transaction():
        archived = templates.archive_template(conn, hr, template.id)
    assert archived.status == "archived"
    (event,) = _events(conn, "template.archived", template.id)
    assert TemplateArchived.model_validate(event["payload"]).version == archived.version

    # When HR tries to change it in any way / Then every change is a 409
    attempts: list[Callable[[], object]] = [
        lambda: templates.update_template(
            conn, hr, template.id, TemplateUpdate(version=archived.version, title="New")
        ),
        lambda: templates.publish_template(conn, hr, template.id),
        lambda: templates.delete_template(conn, hr, template.id),
        lambda: templates.add_question(conn, hr, template.id, _question()),
        lambda: templates.delete_question(conn, hr, template.id, archived.questions[0].id),
        lambda: invitations.create_invitation(
            conn,
            hr,
            InvitationCreate(
                template_id=template.id, candidate_name="A", candidate_email="a@example.com"
            ),
            LINKS,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ConflictError), conn.transaction():
            attempt()
    assert templates.get_template(conn, hr, template.id) == archived


def test_questions_are_frozen_once_published(conn: Conn) -> None:
    hr = _hr(conn)
    template = _template(conn, hr, publish=True)
    question = template.questions[0]
    with pytest.raises(ConflictError, match="draft"), conn.transaction():
        templates.update_question(
            conn, hr, template.id, question.id, QuestionUpdate(text="A brand new question")
        )
    # and a published template's settings cannot change either (title can)
    with pytest.raises(ConflictError, match="settings"), conn.transaction():
        templates.update_template(
            conn,
            hr,
            template.id,
            TemplateUpdate.model_validate(
                {"version": template.version, "settings": {"show_timer": False}}
            ),
        )
    with conn.transaction():
        renamed = templates.update_template(
            conn, hr, template.id, TemplateUpdate(version=template.version, title="Renamed")
        )
    assert renamed.title == "Renamed"


def test_duplicate_copies_questions_into_a_new_draft(conn: Conn) -> None:
    # Given an archived template with a text and a multiple-choice question
    hr = _hr(conn)
    template = _template(conn, hr, questions=0)
    with conn.transaction():
        templates.add_question(conn, hr, template.id, _question())
        templates.add_question(
            conn, hr, template.id, _question("multiple_choice", "Would you pick yes?")
        )
        templates.publish_template(conn, hr, template.id)
        templates.archive_template(conn, hr, template.id)
    source = templates.get_template(conn, hr, template.id)

    # When HR duplicates it
    with conn.transaction():
        copy = templates.duplicate_template(conn, hr, template.id)

    # Then the copy is a new draft with equal questions (new ids), and the source is untouched
    assert copy.id != source.id
    assert copy.status == "draft"
    assert copy.version == 1
    assert copy.title == "Backend engineer (copy)"
    assert [(q.position, q.type, q.text) for q in copy.questions] == [
        (q.position, q.type, q.text) for q in source.questions
    ]
    assert not {q.id for q in copy.questions} & {q.id for q in source.questions}
    copied_options, source_options = copy.questions[1].options, source.questions[1].options
    assert copied_options
    assert source_options
    assert [(o.text, o.correct) for o in copied_options] == [
        (o.text, o.correct) for o in source_options
    ]
    assert templates.get_template(conn, hr, template.id) == source


def test_question_changes_bump_the_version_and_keep_positions_compact(conn: Conn) -> None:
    # Given a draft with three questions
    hr = _hr(conn)
    template = _template(conn, hr, questions=3)
    ids = [q.id for q in template.questions]

    # When HR reorders them, then removes the middle one
    with conn.transaction():
        order = templates.reorder_questions(
            conn, hr, template.id, ReorderRequest(question_ids=[ids[2], ids[0], ids[1]])
        )
        removed = templates.delete_question(conn, hr, template.id, ids[0])

    # Then positions follow the new order and stay 1..n, and each change bumped the version
    assert [q.id for q in order.questions] == [ids[2], ids[0], ids[1]]
    assert order.template_version == template.version + 1
    assert removed.template_version == template.version + 2
    after = templates.get_template(conn, hr, template.id)
    assert [(q.position, q.id) for q in after.questions] == [(1, ids[2]), (2, ids[1])]
    # and a reorder that is not exactly the full set is a 422
    with pytest.raises(UnprocessableError, match="question_ids"), conn.transaction():
        templates.reorder_questions(conn, hr, template.id, ReorderRequest(question_ids=[ids[2]]))


def test_another_companys_templates_and_invitations_answer_not_found(conn: Conn) -> None:
    # Given company A's published template with an invitation, and HR of company B
    hr_a, hr_b = _hr(conn), _hr(conn)
    template = _template(conn, hr_a, publish=True)
    invitation = _invite(conn, hr_a, template.id)

    # When B reads or changes any of it / Then every call is a 404, and B's lists are empty
    calls: list[Callable[[], object]] = [
        lambda: templates.get_template(conn, hr_b, template.id),
        lambda: templates.archive_template(conn, hr_b, template.id),
        lambda: templates.duplicate_template(conn, hr_b, template.id),
        lambda: invitations.get_invitation(
            conn, hr_b, invitation.id, invitations.Playback(lambda k, t, v: k, 60)
        ),
        lambda: invitations.cancel_invitation(conn, hr_b, invitation.id),
        lambda: invitations.create_invitation(
            conn,
            hr_b,
            InvitationCreate(
                template_id=template.id, candidate_name="X", candidate_email="x@example.com"
            ),
            LINKS,
        ),
    ]
    for call in calls:
        with pytest.raises(NotFoundError), conn.transaction():
            call()
    page = invitations.list_invitations(
        conn, hr_b, status=None, template_id=template.id, limit=20, cursor=None
    )
    assert page.items == []
    # while an admin can read it
    admin = _user(conn, "admin")
    assert templates.get_template(conn, admin, template.id).id == template.id


def test_template_list_pages_with_a_cursor_and_filters_by_status(conn: Conn) -> None:
    hr = _hr(conn)
    made = [_template(conn, hr, publish=n % 2 == 0).id for n in range(5)]
    first = templates.list_templates(conn, hr, status=None, limit=2, cursor=None)
    second = templates.list_templates(conn, hr, status=None, limit=2, cursor=first.next_cursor)
    third = templates.list_templates(conn, hr, status=None, limit=2, cursor=second.next_cursor)
    seen = [t.id for t in first.items + second.items + third.items]
    assert seen == list(reversed(made))
    assert third.next_cursor is None
    active = templates.list_templates(conn, hr, status="active", limit=10, cursor=None)
    assert {t.id for t in active.items} == {made[0], made[2], made[4]}


def test_create_template_replay_with_the_same_key_returns_the_first_answer(conn: Conn) -> None:
    hr = _hr(conn)
    body = TemplateCreate(title="Idempotent")

    def once() -> Any:
        with conn.transaction():
            return idempotency.idempotent(
                conn,
                f"template:{hr.id}",
                "key-1",
                body=body,
                status_code=201,
                run=lambda: templates.create_template(conn, hr, body),
            )

    first, second = once(), once()
    assert first.body == second.body
    page = templates.list_templates(conn, hr, status=None, limit=10, cursor=None)
    assert len(page.items) == 1


# ---- invitations ---------------------------------------------------------------------------
def test_invitation_stores_only_the_token_hash_and_emits_invitation_created(conn: Conn) -> None:
    # Given a published template
    hr = _hr(conn)
    template = _template(conn, hr, publish=True)

    # When HR invites a candidate
    created = _invite(conn, hr, template.id, "Grace@Example.com")

    # Then the answer carries the link once, the row only its hash, and the event its payload
    assert created.link_token
    assert created.link_url == (f"https://app.example.com/interview#{created.link_token}")
    assert created.status == "pending"
    assert created.candidate_email == "grace@example.com"
    stored = conn.execute(
        "SELECT token_hash FROM interviews.invitations WHERE id = %s", (created.id,)
    ).fetchone()
    assert stored is not None
    assert bytes(stored[0]) == hash_token(created.link_token)
    (event,) = _events(conn, "invitation.created", created.id)
    assert InvitationCreated.model_validate(event["payload"]) == InvitationCreated(
        invitation_id=created.id,
        template_id=template.id,
        candidate_name="Grace Hopper",
        candidate_email="grace@example.com",
        expires_at=created.expires_at,
        actor_id=hr.id,
    )
    # and the default expiry is 7 days
    assert 6.99 < (created.expires_at - created.created_at).total_seconds() / 86400 < 7.01


def test_a_second_invitation_for_the_same_email_and_template_is_a_conflict(conn: Conn) -> None:
    hr = _hr(conn)
    template = _template(conn, hr, publish=True)
    _invite(conn, hr, template.id, "ada@example.com")
    with pytest.raises(ConflictError), conn.transaction():
        _invite(conn, hr, template.id, "ADA@example.com")
    # and a draft template cannot be invited to at all
    draft = _template(conn, hr)
    with pytest.raises(ConflictError, match="active"), conn.transaction():
        _invite(conn, hr, draft.id)


def test_invitation_replay_answers_the_same_invitation_without_storing_the_token(
    conn: Conn,
) -> None:
    hr = _hr(conn)
    template = _template(conn, hr, publish=True)
    body = InvitationCreate(
        template_id=template.id, candidate_name="Alan", candidate_email="alan@example.com"
    )

    def once() -> invitations.Created:
        with conn.transaction():
            return invitations.idempotent_create(
                conn,
                f"invitation:{hr.id}",
                "same-key",
                body=body,
                status_code=201,
                run=lambda: invitations.create_invitation(conn, hr, body, LINKS),
            )

    first, replay = once(), once()
    assert first.body["link_token"]
    assert replay.body["link_token"] is None
    assert replay.body["id"] == first.body["id"]
    assert replay.status_code == 201
    stored = conn.execute(
        "SELECT response::text FROM identity.idempotency_keys WHERE scope = %s",
        (f"invitation:{hr.id}",),
    ).fetchone()
    assert stored is not None
    assert first.body["link_token"] not in stored[0]
    assert len(_events(conn, "invitation.created", uuid.UUID(first.body["id"]))) == 1


def test_bulk_reports_each_row_and_a_bad_row_does_not_stop_the_others(conn: Conn) -> None:
    # Given a published template with one candidate already invited
    hr = _hr(conn)
    template = _template(conn, hr, publish=True)
    _invite(conn, hr, template.id, "taken@example.com")

    # When HR invites a batch with good, duplicate and invalid rows
    body = InvitationBulkCreate(
        template_id=template.id,
        expires_in_days=3,
        candidates=[
            {"candidate_name": "One", "candidate_email": "one@example.com"},
            {"candidate_name": "Taken", "candidate_email": "taken@example.com"},
            {"candidate_name": "Bad", "candidate_email": "not-an-email"},
            {"candidate_name": "Two", "candidate_email": "two@example.com"},
            {"candidate_name": "Again", "candidate_email": "ONE@example.com"},
            {"candidate_email": "noname@example.com"},
        ],
    )
    with conn.transaction():
        report = invitations.bulk_invite(conn, hr, body, LINKS)

    # Then each row has its own status, and only the created rows exist
    assert [(r.index, r.status) for r in report.results] == [
        (0, "created"),
        (1, "duplicate"),
        (2, "invalid"),
        (3, "created"),
        (4, "duplicate"),
        (5, "invalid"),
    ]
    assert (report.created, report.duplicate, report.invalid) == (2, 2, 2)
    assert report.results[2].error
    assert "candidate_email" in report.results[2].error
    assert report.results[5].error
    assert "candidate_name" in report.results[5].error
    created = report.results[0].invitation
    assert created is not None
    assert created.link_token
    page = invitations.list_invitations(
        conn, hr, status="pending", template_id=template.id, limit=100, cursor=None
    )
    assert sorted(i.candidate_email for i in page.items) == [
        "one@example.com",
        "taken@example.com",
        "two@example.com",
    ]


def test_invitation_list_pages_newest_first_by_status_and_template(conn: Conn) -> None:
    hr = _hr(conn)
    first_template = _template(conn, hr, publish=True)
    second_template = _template(conn, hr, publish=True)
    made = [_invite(conn, hr, first_template.id).id for _ in range(5)]
    other = _invite(conn, hr, second_template.id)
    with conn.transaction():
        invitations.cancel_invitation(conn, hr, made[1])

    pages, cursor = [], None
    while True:
        page = invitations.list_invitations(
            conn, hr, status=None, template_id=first_template.id, limit=2, cursor=cursor
        )
        pages.append([i.id for i in page.items])
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [i for p in pages for i in p] == list(reversed(made))
    assert len(pages) == 3
    cancelled = invitations.list_invitations(
        conn, hr, status="cancelled", template_id=None, limit=20, cursor=None
    )
    assert [i.id for i in cancelled.items] == [made[1]]
    everything = invitations.list_invitations(
        conn, hr, status=None, template_id=None, limit=20, cursor=None
    )
    assert everything.items[0].id == other.id
    assert len(everything.items) == 6
    with pytest.raises(UnprocessableError, match="cursor"):
        invitations.list_invitations(
            conn, hr, status=None, template_id=None, limit=20, cursor="garbage!"
        )


def test_resend_rotates_the_link_and_cancel_and_extend_follow_the_lifecycle(conn: Conn) -> None:
    # Given a pending invitation
    hr = _hr(conn)
    template = _template(conn, hr, publish=True)
    created = _invite(conn, hr, template.id)

    # When HR resends and extends it
    with conn.transaction():
        resent = invitations.resend_invitation(conn, hr, created.id, LINKS)
        extended = invitations.extend_invitation(conn, hr, created.id, 5)

    # Then the old link is dead (its hash is gone), the new one works, the expiry moved 5 days
    assert resent.link_token
    assert resent.link_token != created.link_token
    assert resent.send_count == 2
    hashes = conn.execute(
        "SELECT token_hash FROM interviews.invitations WHERE id = %s", (created.id,)
    ).fetchone()
    assert hashes is not None
    assert bytes(hashes[0]) == hash_token(resent.link_token)
    assert (extended.expires_at - created.expires_at).days == 5

    # When it is cancelled / Then it cannot be resent, extended or cancelled into anything else
    with conn.transaction():
        cancelled = invitations.cancel_invitation(conn, hr, created.id)
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at is not None
    closed: list[Callable[[], object]] = [
        lambda: invitations.resend_invitation(conn, hr, created.id, LINKS),
        lambda: invitations.extend_invitation(conn, hr, created.id, 1),
    ]
    for call in closed:
        with pytest.raises(ConflictError), conn.transaction():
            call()


def test_an_overdue_or_started_invitation_follows_the_lifecycle(conn: Conn) -> None:
    hr = _hr(conn)
    template = _template(conn, hr, publish=True)
    overdue = _invite(conn, hr, template.id)
    started = _invite(conn, hr, template.id)
    conn.execute(
        "UPDATE interviews.invitations SET expires_at = now() - interval '1 minute' WHERE id = %s",
        (overdue.id,),
    )
    conn.execute(
        "UPDATE interviews.invitations SET status = 'in_progress', started_at = now(),"
        " recording_consent_at = now(), ai_consent = true, ai_consent_at = now() WHERE id = %s",
        (started.id,),
    )
    # An overdue one (not yet swept) is not extended or resent
    late: list[Callable[[], object]] = [
        lambda: invitations.extend_invitation(conn, hr, overdue.id, 3),
        lambda: invitations.resend_invitation(conn, hr, overdue.id, LINKS),
    ]
    for call in late:
        with pytest.raises(ConflictError, match="expired"), conn.transaction():
            call()
    # A started one can be extended and resent, but not cancelled
    with conn.transaction():
        assert invitations.extend_invitation(conn, hr, started.id, 2).status == "in_progress"
        assert invitations.resend_invitation(conn, hr, started.id, LINKS).link_token
    with pytest.raises(ConflictError, match="pending"), conn.transaction():
        invitations.cancel_invitation(conn, hr, started.id)


# ---- review --------------------------------------------------------------------------------
def _complete_with_answers(
    conn: Conn, invitation_id: uuid.UUID, company_id: uuid.UUID, questions: list[Any], key: str
) -> list[uuid.UUID]:
    """What the candidate's flow would leave behind: a media and a text answer, completed."""
    upload = conn.execute(
        "INSERT INTO interviews.uploads (company_id, invitation_id, question_id, object_key,"
        " content_type, media_kind, max_bytes, expires_at)"
        " VALUES (%s, %s, %s, %s, 'video/webm', 'video', 1000000, now()) RETURNING id",
        (company_id, invitation_id, questions[0].id, key),
    ).fetchone()
    assert upload is not None
    media = conn.execute(
        "INSERT INTO interviews.answers (company_id, invitation_id, question_id, attempt, kind,"
        " upload_id, media_key, media_bytes, media_content_type)"
        " VALUES (%s, %s, %s, 1, 'media', %s, %s, 11, 'video/webm') RETURNING id",
        (company_id, invitation_id, questions[0].id, upload[0], key),
    ).fetchone()
    text = conn.execute(
        "INSERT INTO interviews.answers (company_id, invitation_id, question_id, attempt, kind,"
        " text_answer) VALUES (%s, %s, %s, 1, 'text', 'I would profile first.') RETURNING id",
        (company_id, invitation_id, questions[1].id),
    ).fetchone()
    assert media is not None
    assert text is not None
    conn.execute(
        "UPDATE interviews.invitations SET status = 'completed', completed_at = now(),"
        " completion_reason = 'manual' WHERE id = %s",
        (invitation_id,),
    )
    return [media[0], text[0]]


def test_hr_reads_answers_with_a_playable_url_rates_and_decides(conn: Conn, s3: Any) -> None:
    # Given a completed invitation with a media answer whose object is in S3
    hr = _hr(conn)
    company_id = hr.user.company_id
    assert company_id is not None
    template = _template(conn, hr, questions=0)
    with conn.transaction():
        templates.add_question(conn, hr, template.id, _question("video", "Introduce yourself."))
        templates.add_question(conn, hr, template.id, _question())
        templates.publish_template(conn, hr, template.id)
    template = templates.get_template(conn, hr, template.id)
    invitation = _invite(conn, hr, template.id)
    bucket = f"itest-hr-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    key = f"raw/{company_id}/{invitation.id}/{template.questions[0].id}/{uuid.uuid4()}.webm"
    s3.put_object(Bucket=bucket, Key=key, Body=b"webm-bytes!", ContentType="video/webm")
    media_answer, text_answer = _complete_with_answers(
        conn, invitation.id, company_id, template.questions, key
    )
    playback = invitations.Playback(
        lambda k, ttl, v: storage.presign_playback(
            localenv.client("s3", LOCALSTACK), bucket, k, ttl, v
        ),
        300,
    )
    try:
        # When HR rates both answers (twice, the second time changing the comment) and advances
        with conn.transaction():
            review.review_answer(conn, hr, invitation.id, media_answer, ReviewRequest(rating=4))
            review.review_answer(
                conn, hr, invitation.id, media_answer, ReviewRequest(rating=5, comment="Clear")
            )
            review.review_answer(conn, hr, invitation.id, text_answer, ReviewRequest(rating=3))
            decision = review.decide(conn, hr, invitation.id, DecisionRequest(decision="advance"))
            same = review.decide(conn, hr, invitation.id, DecisionRequest(decision="advance"))
        detail = invitations.get_invitation(conn, hr, invitation.id, playback)

        # Then the detail has the questions in order, both answers, one review per reviewer
        assert [q.id for q in detail.questions] == [q.id for q in template.questions]
        by_id = {a.id: a for a in detail.answers}
        media = by_id[media_answer]
        assert [(r.rating, r.comment) for r in media.reviews] == [(5, "Clear")]
        assert by_id[text_answer].text == "I would profile first."
        assert media.media is None
        assert media.analysis is None
        assert detail.analysis is None
        # and the playback URL plays exactly the uploaded bytes
        assert media.media_ref is not None
        assert media.media_ref.playback_expires_in == 300
        played = httpx.get(media.media_ref.playback_url)
        assert played.status_code == 200
        assert played.content == b"webm-bytes!"
        # and the decision is stored once, announced once
        assert detail.decision == decision == same
        (event,) = _events(conn, "candidate.decided", invitation.id)
        assert CandidateDecided.model_validate(event["payload"]) == CandidateDecided(
            invitation_id=invitation.id, decision="advance", note=None, actor_id=hr.id
        )
    finally:
        for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=obj["Key"])
        s3.delete_bucket(Bucket=bucket)


def test_only_a_completed_interview_is_decided_and_reviews_need_its_answer(conn: Conn) -> None:
    hr = _hr(conn)
    template = _template(conn, hr, publish=True)
    invitation = _invite(conn, hr, template.id)
    with pytest.raises(ConflictError, match="completed"), conn.transaction():
        review.decide(conn, hr, invitation.id, DecisionRequest(decision="reject", note="No"))
    with pytest.raises(NotFoundError), conn.transaction():
        review.review_answer(conn, hr, invitation.id, uuid.uuid4(), ReviewRequest(rating=2))
    assert dal.get_decision(conn, invitation.id) is None
