"""HR's lifecycle rules, reorder rules, the link, replay stripping and the keyset cursor (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.errors import ConflictError, UnprocessableError
from shared.interviews import invitations, review, templates
from shared.interviews.pagination import decode_cursor, encode_cursor, next_cursor


# ---- templates -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "questions", "publishes"),
    [("draft", 1, True), ("draft", 5, True), ("active", 1, False)],
)
def test_publish_moves_a_draft_with_questions_and_repeats_as_a_no_op(
    status: str, questions: int, publishes: bool
) -> None:
    assert templates.needs_publishing(status, questions) is publishes


@pytest.mark.parametrize(("status", "questions"), [("draft", 0), ("archived", 3)])
def test_publish_refuses_an_empty_draft_and_an_archived_template(
    status: str, questions: int
) -> None:
    with pytest.raises(ConflictError):
        templates.needs_publishing(status, questions)


def test_archive_moves_active_repeats_as_a_no_op_and_refuses_a_draft() -> None:
    assert templates.needs_archiving("active") is True
    assert templates.needs_archiving("archived") is False
    with pytest.raises(ConflictError, match="delete"):
        templates.needs_archiving("draft")


@pytest.mark.parametrize("status", ["active", "archived"])
def test_only_a_draft_is_deleted_or_has_its_questions_changed(status: str) -> None:
    templates.check_deletable("draft")
    templates.check_questions_editable("draft")
    with pytest.raises(ConflictError):
        templates.check_deletable(status)
    with pytest.raises(ConflictError, match="duplicate"):
        templates.check_questions_editable(status)


def test_update_needs_the_current_version_and_respects_the_status() -> None:
    templates.check_update("draft", 3, 3, {"title", "settings"})
    templates.check_update("active", 3, 3, {"title", "description"})
    with pytest.raises(ConflictError, match="version 3, not 2"):
        templates.check_update("draft", 3, 2, {"title"})
    with pytest.raises(ConflictError, match="settings"):
        templates.check_update("active", 3, 3, {"settings"})
    with pytest.raises(ConflictError, match="read-only"):
        templates.check_update("archived", 3, 3, {"title"})


def test_reorder_must_name_every_question_exactly_once() -> None:
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    templates.check_reorder([a, b, c], [c, a, b])
    for bad in ([a, b], [a, b, c, uuid.uuid4()], [a, a, b, c], [a, b, uuid.uuid4()]):
        with pytest.raises(UnprocessableError, match="question_ids"):
            templates.check_reorder([a, b, c], bad)


# ---- invitations ---------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["pending", "in_progress"])
def test_an_open_invitation_can_be_resent_or_extended_until_it_expires(status: str) -> None:
    invitations.check_open(status, overdue=False, action="extended")
    with pytest.raises(ConflictError, match="expired"):
        invitations.check_open(status, overdue=True, action="extended")


@pytest.mark.parametrize("status", ["completed", "expired", "cancelled"])
def test_a_closed_invitation_cannot_be_resent_or_extended(status: str) -> None:
    with pytest.raises(ConflictError, match=status):
        invitations.check_open(status, overdue=False, action="resent")


def test_only_a_pending_invitation_is_cancelled_and_repeating_it_is_a_no_op() -> None:
    assert invitations.needs_cancelling("pending") is True
    assert invitations.needs_cancelling("cancelled") is False
    for status in ("in_progress", "completed", "expired"):
        with pytest.raises(ConflictError, match="pending"):
            invitations.needs_cancelling(status)


def test_only_a_completed_interview_is_decided() -> None:
    review.check_decidable("completed")
    for status in ("pending", "in_progress", "expired", "cancelled"):
        with pytest.raises(ConflictError, match="completed"):
            review.check_decidable(status)


def test_the_link_is_the_frontend_origin_path_and_token() -> None:
    links = invitations.LinkMaker("https://app.example.com/", "/interview")
    assert links("abc") == "https://app.example.com/interview#abc"  # the fragment


def test_the_token_is_never_in_the_part_of_the_link_a_browser_sends() -> None:
    # Issue 13, finding 18: a path (or query) reaches servers, logs and Referer headers.
    from urllib.parse import urlsplit

    token = "tok-" + "x" * 40
    parts = urlsplit(invitations.LinkMaker("https://app.example.com")(token))
    assert token not in parts.path
    assert token not in parts.query
    assert parts.fragment == token


def test_a_stored_replay_never_carries_a_link_token() -> None:
    body = {
        "id": "1",
        "link_token": "secret",
        "link_url": "https://app/interview/secret",
        "results": [{"invitation": {"link_token": "t2", "link_url": "u2", "id": "2"}}],
    }
    stripped = invitations.without_links(body)
    assert "secret" not in str(stripped)
    assert "t2" not in str(stripped)
    assert stripped["id"] == "1"
    assert stripped["results"][0]["invitation"]["id"] == "2"


# ---- cursors -------------------------------------------------------------------------------
def test_a_cursor_round_trips_its_position() -> None:
    when = datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=UTC)
    row_id = uuid.uuid4()
    cursor = decode_cursor(encode_cursor(when, row_id))
    assert (cursor.created_at, cursor.id) == (when, row_id)
    other_zone = datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    assert decode_cursor(encode_cursor(other_zone, row_id)).created_at == other_zone


@pytest.mark.parametrize(
    "bad",
    [
        "garbage!",
        "",
        "Zm9v",  # "foo": no separator
        encode_cursor(datetime(2026, 1, 1, tzinfo=UTC), uuid.uuid4())[:-6],
        "MjAyNi0wMS0wMVQwMDowMDowMHxub3QtYS11dWlk",  # a valid date, not a uuid
        "MjAyNi0wMS0wMVQwMDowMDowMHwwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA",  # naive
        "x" * 201,
    ],
)
def test_a_tampered_cursor_is_a_422_naming_the_cursor(bad: str) -> None:
    with pytest.raises(UnprocessableError, match=r"query\.cursor"):
        decode_cursor(bad)


def test_the_next_cursor_names_the_last_row_of_a_full_page_only() -> None:
    rows = [(datetime(2026, 1, d, tzinfo=UTC), uuid.uuid4()) for d in (5, 4, 3)]
    assert next_cursor(rows, 3) is None
    after = decode_cursor(next_cursor(rows, 2) or "")
    assert (after.created_at, after.id) == rows[1]
