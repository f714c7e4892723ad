"""The candidate flow's rules, without a database: lifecycle, uploads, completion, payloads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from shared.errors import ConflictError, UnprocessableError
from shared.interviews import lifecycle
from shared.interviews.candidate_interview import interview_view
from shared.interviews.candidate_models import (
    AUDIO_TYPES,
    VIDEO_TYPES,
    AnswerRequest,
    CompleteUploadRequest,
    Consent,
    PartsRequest,
    StartRequest,
    UploadRequest,
)
from shared.interviews.models import InvitationOut
from shared.interviews.rows import (
    AnswerRow,
    InvitationRow,
    QuestionRow,
    TemplateSettingsRow,
    UploadRow,
)
from shared.interviews.settings import MB, CandidateSettings
from shared.interviews.storage import ObjectInfo, check_object
from shared.interviews.tokens import new_link_token
from shared.media.keys import EXTENSIONS
from shared.models.events.interviews import InvitationCompleted

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
SETTINGS = CandidateSettings()


def _invitation(**changes: Any) -> InvitationRow:
    base: dict[str, Any] = {
        "id": uuid.uuid4(),
        "company_id": uuid.uuid4(),
        "template_id": uuid.uuid4(),
        "created_by": uuid.uuid4(),
        "candidate_email": "grace@example.com",
        "candidate_name": "Grace",
        "status": "in_progress",
        "expires_at": NOW + timedelta(days=7),
        "started_at": NOW - timedelta(minutes=5),
        "last_activity_at": NOW - timedelta(minutes=1),
        "completed_at": None,
        "completion_reason": None,
        "cancelled_at": None,
        "expired_at": None,
        "last_sent_at": NOW - timedelta(days=1),
        "send_count": 1,
        "created_at": NOW - timedelta(days=1),
        "updated_at": NOW - timedelta(minutes=1),
        "template_title": "Backend engineer",
        "template_description": None,
        "template_settings": {"language": "en"},
        "scoring_weights": {"relevance": 0.4, "completeness": 0.2, "clarity": 0.2, "depth": 0.2},
    }
    base.update(changes)
    return InvitationRow.model_validate(base)


def _question(kind: str = "video", position: int = 1, **changes: Any) -> QuestionRow:
    options = None
    if kind == "multiple_choice":
        options = [
            {"id": uuid.uuid4(), "text": "Yes", "correct": True},
            {"id": uuid.uuid4(), "text": "No", "correct": False},
        ]
    base: dict[str, Any] = {
        "id": uuid.uuid4(),
        "template_id": uuid.uuid4(),
        "company_id": uuid.uuid4(),
        "position": position,
        "type": kind,
        "text": f"A {kind} question, number {position}",
        "time_limit_s": 120,
        "think_time_s": 10,
        "max_retakes": 1,
        "required": True,
        "hints": ["be concise"],
        "rubric": "Mentions trade-offs.",
        "options": options,
        "created_at": NOW,
        "updated_at": NOW,
    }
    base.update(changes)
    return QuestionRow.model_validate(base)


def _answer(question: QuestionRow, attempt: int = 1, *, current: bool = True) -> AnswerRow:
    return AnswerRow(
        id=uuid.uuid4(),
        question_id=question.id,
        attempt=attempt,
        is_current=current,
        kind="text",
        upload_id=None,
        media_key=None,
        media_bytes=None,
        media_content_type=None,
        text_answer=f"attempt {attempt}",
        selected_option_ids=None,
        submitted_at=NOW,
    )


# ---- lifecycle -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "expires_in", "overdue"),
    [
        ("pending", timedelta(seconds=-1), True),
        ("in_progress", timedelta(0), True),
        ("in_progress", timedelta(seconds=1), False),
        ("completed", timedelta(days=-1), False),
        ("cancelled", timedelta(days=-1), False),
        ("expired", timedelta(days=-1), False),
    ],
)
def test_only_pending_or_in_progress_invitations_past_expiry_are_overdue(
    status: str, expires_in: timedelta, overdue: bool
) -> None:
    # Given an invitation in a status, expiring relative to now
    invitation = _invitation(status=status, expires_at=NOW + expires_in)
    # When / Then
    assert lifecycle.is_overdue(invitation, NOW) is overdue


def test_an_interview_is_idle_after_thirty_minutes_without_activity() -> None:
    # Given one active 29 minutes ago and one 30 minutes ago
    recent = _invitation(last_activity_at=NOW - timedelta(minutes=29))
    idle = _invitation(last_activity_at=NOW - timedelta(minutes=30))
    # Then only the second is idle (and a pending one never is)
    assert not lifecycle.is_idle(recent, NOW, SETTINGS.idle_timeout_s)
    assert lifecycle.is_idle(idle, NOW, SETTINGS.idle_timeout_s)
    assert not lifecycle.is_idle(
        _invitation(status="pending", last_activity_at=None, started_at=None),
        NOW,
        SETTINGS.idle_timeout_s,
    )


def test_an_interview_runs_out_of_time_after_its_total_limit_and_the_grace() -> None:
    # Given a 20-minute limit, interviews started 21 and 23 minutes ago (grace: 2 minutes)
    limited = {"language": "en", "total_time_limit_s": 20 * 60}
    within_grace = _invitation(started_at=NOW - timedelta(minutes=21), template_settings=limited)
    over = _invitation(started_at=NOW - timedelta(minutes=22), template_settings=limited)
    unlimited = _invitation(started_at=NOW - timedelta(hours=3))
    # Then the clock shows the limit's end, and only the one past the grace times out
    assert lifecycle.time_limit_ends_at(over) == NOW + timedelta(minutes=-2)
    assert lifecycle.time_limit_ends_at(unlimited) is None
    assert lifecycle.time_limit_ends_at(_invitation(status="pending", started_at=None)) is None
    assert SETTINGS.time_limit_grace_s == 120
    assert not lifecycle.times_out(within_grace, NOW, SETTINGS)
    assert lifecycle.times_out(over, NOW, SETTINGS)
    assert not lifecycle.times_out(unlimited, NOW, SETTINGS)
    assert not lifecycle.times_out(
        _invitation(
            status="completed", started_at=NOW - timedelta(hours=1), template_settings=limited
        ),
        NOW,
        SETTINGS,
    )


@pytest.mark.parametrize(("status", "message"), [("completed", "already"), ("pending", "Start")])
def test_writes_need_an_interview_in_progress(status: str, message: str) -> None:
    with pytest.raises(ConflictError, match=message):
        lifecycle.require_in_progress(_invitation(status=status))


def test_retakes_count_only_when_the_template_allows_them() -> None:
    # Given a question with two retakes
    question = _question(max_retakes=2)
    allowing = TemplateSettingsRow(retakes_allowed=True)
    forbidding = TemplateSettingsRow(retakes_allowed=False)
    # Then three attempts are allowed, or one when the template forbids retakes
    assert lifecycle.allowed_attempts(question, allowing) == 3
    assert lifecycle.allowed_attempts(question, forbidding) == 1
    assert lifecycle.retakes_left(question, allowing, 0) == 2
    assert lifecycle.retakes_left(question, allowing, 2) == 1
    assert lifecycle.retakes_left(question, allowing, 3) == 0
    lifecycle.require_attempt_left(question, allowing, 2)
    with pytest.raises(ConflictError):
        lifecycle.require_attempt_left(question, allowing, 3)
    with pytest.raises(ConflictError):
        lifecycle.require_attempt_left(question, forbidding, 1)


# ---- uploads -------------------------------------------------------------------------------
def test_every_media_type_has_an_object_key_extension() -> None:
    assert set(EXTENSIONS) == VIDEO_TYPES | AUDIO_TYPES


@pytest.mark.parametrize("content_type", sorted(VIDEO_TYPES))
def test_video_questions_take_video_types_up_to_500_mb(content_type: str) -> None:
    kind, cap = lifecycle.upload_limit(_question("video"), content_type, 500 * MB, SETTINGS)
    assert (kind, cap) == ("video", 500 * MB)
    with pytest.raises(UnprocessableError, match=r"body\.size_bytes"):
        lifecycle.upload_limit(_question("video"), content_type, 500 * MB + 1, SETTINGS)


@pytest.mark.parametrize("content_type", sorted(AUDIO_TYPES))
def test_audio_questions_take_audio_types_up_to_100_mb(content_type: str) -> None:
    kind, cap = lifecycle.upload_limit(_question("audio"), content_type, 100 * MB, SETTINGS)
    assert (kind, cap) == ("audio", 100 * MB)
    with pytest.raises(UnprocessableError, match=r"body\.size_bytes"):
        lifecycle.upload_limit(_question("audio"), content_type, 100 * MB + 1, SETTINGS)


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("video", "audio/webm"), ("audio", "video/mp4"), ("audio", "video/webm")],
)
def test_a_type_not_allowed_for_the_question_is_refused(kind: str, content_type: str) -> None:
    with pytest.raises(UnprocessableError, match=r"body\.content_type"):
        lifecycle.upload_limit(_question(kind), content_type, 1000, SETTINGS)


@pytest.mark.parametrize("kind", ["text", "multiple_choice"])
def test_text_and_choice_questions_take_no_upload(kind: str) -> None:
    with pytest.raises(UnprocessableError, match="takes no upload"):
        lifecycle.upload_limit(_question(kind), "video/webm", 1000, SETTINGS)


def test_an_upload_request_names_a_known_type_and_a_positive_size() -> None:
    with pytest.raises(ValidationError, match="content_type"):
        UploadRequest.model_validate({"content_type": "application/pdf", "size_bytes": 10})
    with pytest.raises(ValidationError, match="size_bytes"):
        UploadRequest.model_validate({"content_type": "video/webm", "size_bytes": 0})


def _upload(content_type: str = "video/webm", max_bytes: int = 1000) -> UploadRow:
    return UploadRow(
        id=uuid.uuid4(),
        company_id=uuid.uuid4(),
        invitation_id=uuid.uuid4(),
        question_id=uuid.uuid4(),
        object_key="raw/x.webm",
        content_type=content_type,
        media_kind="video",
        max_bytes=max_bytes,
        multipart_upload_id=None,
        expires_at=NOW,
    )


def test_a_submitted_object_must_exist_with_the_declared_type_and_size() -> None:
    upload = _upload()
    assert check_object(upload, ObjectInfo(1000, "video/webm")).size == 1000
    with pytest.raises(UnprocessableError, match="missing"):
        check_object(upload, None)
    with pytest.raises(UnprocessableError, match="not the declared"):
        check_object(upload, ObjectInfo(10, "video/mp4"))
    with pytest.raises(UnprocessableError, match="limit"):
        check_object(upload, ObjectInfo(1001, "video/webm"))
    with pytest.raises(UnprocessableError, match="limit"):
        check_object(upload, ObjectInfo(0, "video/webm"))


def test_part_requests_are_bounded_and_distinct() -> None:
    assert PartsRequest(part_numbers=[1, 2, 3]).part_numbers == [1, 2, 3]
    for bad in ([], [0], [10001], [1, 1], list(range(1, 102))):
        with pytest.raises(ValidationError, match="part_numbers"):
            PartsRequest.model_validate({"part_numbers": bad})
    with pytest.raises(ValidationError, match="ascending"):
        CompleteUploadRequest.model_validate(
            {"parts": [{"part_number": 2, "etag": "b"}, {"part_number": 1, "etag": "a"}]}
        )


# ---- answers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": "x", "option_ids": [str(uuid.uuid4())]},
        {"upload_id": str(uuid.uuid4()), "text": "x"},
        {"option_ids": []},
        {"text": ""},
        {"text": "x" * 10_001},
        {"option_ids": [str(uuid.UUID(int=1))] * 2},
    ],
)
def test_an_answer_is_exactly_one_of_upload_text_or_options(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        AnswerRequest.model_validate(body)


def test_a_text_answer_may_have_ten_thousand_characters() -> None:
    assert AnswerRequest(text="x" * 10_000).text is not None


# ---- completion ----------------------------------------------------------------------------
def test_manual_completion_lists_the_unanswered_required_questions() -> None:
    # Given three questions: answered required, unanswered required, unanswered optional
    answered, missing, optional = (
        _question("text", 1),
        _question("video", 2),
        _question("audio", 3, required=False),
    )
    old_attempt = _answer(missing, current=False)
    # When / Then only the unanswered required one is missing (an old attempt does not count)
    assert lifecycle.missing_required(
        [answered, missing, optional], [_answer(answered), old_attempt]
    ) == [missing.id]


def test_the_completed_payload_carries_questions_with_rubric_and_current_answers() -> None:
    # Given an interview with a choice and a text question, and two attempts at the text one
    choice, text = _question("multiple_choice", 2), _question("text", 1)
    invitation = _invitation()
    old, new = _answer(text, 1, current=False), _answer(text, 2)

    # When the payload is built
    payload = lifecycle.completed_payload(invitation, [choice, text], [old, new], "manual", NOW)

    # Then it validates, orders questions by position, keeps options with their correct flags,
    # the rubric, the weights and the language, and carries only the current attempt
    assert isinstance(payload, InvitationCompleted)
    assert [q.question_id for q in payload.questions] == [text.id, choice.id]
    assert payload.questions[1].options is not None
    assert [o.correct for o in payload.questions[1].options] == [True, False]
    assert payload.questions[0].rubric == "Mentions trade-offs."
    assert [a.answer_id for a in payload.answers] == [new.id]
    assert payload.answers[0].text == "attempt 2"
    assert payload.scoring_weights.relevance == 0.4
    assert payload.language == "en"
    assert payload.reason == "manual"


@pytest.mark.parametrize(
    ("ai_consent", "analysed"),
    [(True, True), (False, False), (None, True)],  # None: started before consent was asked
)
def test_the_completed_payload_tells_the_analysis_whether_ai_may_read_the_answers(
    ai_consent: bool | None, analysed: bool
) -> None:
    consent_at = NOW - timedelta(minutes=5) if ai_consent is not None else None
    invitation = _invitation(
        recording_consent_at=consent_at, ai_consent=ai_consent, ai_consent_at=consent_at
    )
    payload = lifecycle.completed_payload(invitation, [], [], "early_finish", NOW)
    assert payload.ai_analysis is analysed


def test_the_consent_is_shown_once_given_with_the_start() -> None:
    # Given a pending invitation, and one started declining AI analysis
    pending = _invitation(status="pending", started_at=None, last_activity_at=None)
    started = NOW - timedelta(minutes=5)
    declined = _invitation(recording_consent_at=started, ai_consent=False, ai_consent_at=started)

    # When the candidate's and the session's views are built / Then only the started one has it
    assert Consent.of(pending) is None
    assert lifecycle.status_of(pending).consent is None
    assert interview_view(pending, [], {}).invitation.consent is None
    shown = Consent(recording_at=started, ai_analysis=False, given_at=started)
    assert lifecycle.status_of(declined).consent == shown
    assert interview_view(declined, [], {}).invitation.consent == shown


def test_hr_sees_the_consent_on_the_invitation_in_the_list_and_the_detail() -> None:
    started = NOW - timedelta(minutes=5)
    declined = _invitation(
        recording_consent_at=started,
        ai_consent=False,
        ai_consent_at=started,
        consent_text_version="2026-12-02",
    )
    out = InvitationOut.of(declined).model_dump(mode="json")
    assert out["consent"] == {
        "recording_at": started.isoformat().replace("+00:00", "Z"),
        "ai_analysis": False,
        "given_at": started.isoformat().replace("+00:00", "Z"),
        "text_version": "2026-12-02",
    }
    assert InvitationOut.of(_invitation(status="pending", started_at=None)).consent is None


@pytest.mark.parametrize(
    "body",
    [
        {"recording": True, "ai_analysis": True},
        {"recording": True, "ai_analysis": False},
    ],
)
def test_a_start_takes_the_consent_to_recording_and_a_choice_on_ai(body: dict[str, Any]) -> None:
    assert StartRequest.model_validate(body).ai_analysis is body["ai_analysis"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"recording": False, "ai_analysis": True},
        {"recording": 1, "ai_analysis": True},
        {"recording": "true", "ai_analysis": True},
        {"recording": True},
        {"recording": True, "ai_analysis": 0},
        {"recording": True, "ai_analysis": "false"},
        {"recording": True, "ai_analysis": True, "extra": 1},
    ],
)
def test_a_start_without_a_clear_consent_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        StartRequest.model_validate(body)


# ---- what the candidate sees ---------------------------------------------------------------
def test_the_candidate_never_sees_correct_options_or_the_rubric() -> None:
    # Given a template with a multiple choice question
    invitation = _invitation()
    question = _question("multiple_choice")

    # When the candidate's view is built
    view = interview_view(invitation, [question], {}).model_dump(mode="json")

    # Then neither the correct flags nor the rubric appear anywhere in it
    text = str(view)
    assert "correct" not in text
    assert "rubric" not in text
    assert "Mentions trade-offs" not in text
    assert [o["text"] for o in view["questions"][0]["options"]] == ["Yes", "No"]


def test_progress_counts_attempts_and_retakes_left() -> None:
    q1, q2 = _question("text", 1, max_retakes=2), _question("video", 2, max_retakes=0)
    view = interview_view(_invitation(), [q1, q2], {q1.id: 2})
    progress = {p.question_id: p for p in view.progress}
    assert (progress[q1.id].answered, progress[q1.id].attempts_used) == (True, 2)
    assert progress[q1.id].retakes_left == 1
    assert (progress[q2.id].answered, progress[q2.id].retakes_left) == (False, 0)


def test_randomized_order_is_stable_per_invitation_and_differs_between_invitations() -> None:
    # Given a template of ten questions
    questions = [_question("text", i) for i in range(1, 11)]
    first, second = uuid.uuid4(), uuid.uuid4()

    # When ordered for two invitations, twice
    once = lifecycle.candidate_order(first, questions, randomize=True)
    again = lifecycle.candidate_order(first, list(reversed(questions)), randomize=True)
    other = lifecycle.candidate_order(second, questions, randomize=True)

    # Then one invitation always sees the same order, another (almost surely) a different one
    assert [q.id for q in once] == [q.id for q in again]
    assert [q.id for q in once] != [q.id for q in other]
    assert sorted(q.id for q in once) == sorted(q.id for q in questions)
    plain = lifecycle.candidate_order(first, list(reversed(questions)), randomize=False)
    assert [q.position for q in plain] == list(range(1, 11))


def test_link_tokens_are_distinct_and_only_their_hash_is_kept() -> None:
    token, digest = new_link_token()
    other, _ = new_link_token()
    assert token != other
    assert token.encode() not in digest
    assert len(digest) == 32
