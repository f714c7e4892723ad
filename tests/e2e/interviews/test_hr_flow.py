"""HR's side end to end, through API Gateway on LocalStack: build and publish an interview,
invite, list, resend, cancel, extend, open a completed interview, play its media, rate, decide."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from scripts import localenv
from tests.e2e.identity_actors import PROBLEM, Actor, make_hr_with_company
from tests.e2e.interviews.hr_support import (
    complete_directly,
    expire_directly,
    invite,
    make_template,
    ok,
    publish,
)


@pytest.fixture(scope="module")
def hr(api: httpx.Client) -> Actor:
    return make_hr_with_company(api, "hr-flow")


@pytest.fixture(scope="module")
def other_hr(api: httpx.Client) -> Actor:
    return make_hr_with_company(api, "hr-other")


@pytest.fixture
def media_object(outputs: dict[str, str]) -> Iterator[tuple[str, str]]:
    """A raw object in the media bucket, removed afterwards."""
    bucket = outputs["MediaBucketName"]
    s3 = localenv.client("s3")
    key = f"raw/{uuid.uuid4()}/{uuid.uuid4()}/{uuid.uuid4()}/{uuid.uuid4()}.webm"
    s3.put_object(Bucket=bucket, Key=key, Body=b"webm-bytes!", ContentType="video/webm")
    yield bucket, key
    versions = s3.list_object_versions(Bucket=bucket, Prefix=key).get("Versions", [])
    for version in versions:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def test_hr_builds_publishes_and_invites(api: httpx.Client, hr: Actor, other_hr: Actor) -> None:
    h = hr.headers()
    # Given HR creates a template (replaying the same Idempotency-Key creates nothing new)
    key = {**h, "Idempotency-Key": f"tpl-{uuid.uuid4()}"}
    body = {"title": "Backend engineer", "settings": {"language": "en", "show_timer": True}}
    created = ok(api.post("v1/templates", json=body, headers=key), 201)
    replay = ok(api.post("v1/templates", json=body, headers=key), 201)
    assert replay["id"] == created["id"]
    tid = created["id"]

    # When HR adds a video, a text and a multiple-choice question and reorders them
    ids = []
    for question in (
        {"type": "video", "text": "Introduce yourself, please.", "time_limit_s": 90},
        {"type": "text", "text": "How would you find a memory leak?", "rubric": "Profiling"},
        {
            "type": "multiple_choice",
            "text": "Which is a relational database?",
            "options": [{"text": "PostgreSQL", "correct": True}, {"text": "Redis"}],
        },
    ):
        change = ok(api.post(f"v1/templates/{tid}/questions", json=question, headers=h), 201)
        ids.append(change["question"]["id"])
    # (a retried add with the same Idempotency-Key adds nothing)
    add_key = {**h, "Idempotency-Key": f"q-{uuid.uuid4()}"}
    extra = {"type": "audio", "text": "Say something about your last team."}
    added = ok(api.post(f"v1/templates/{tid}/questions", json=extra, headers=add_key), 201)
    retried = ok(api.post(f"v1/templates/{tid}/questions", json=extra, headers=add_key), 201)
    assert retried == added
    ok(api.delete(f"v1/templates/{tid}/questions/{added['question']['id']}", headers=h), 200)
    order = ok(
        api.put(
            f"v1/templates/{tid}/questions/order",
            json={"question_ids": [ids[1], ids[0], ids[2]]},
            headers=h,
        ),
        200,
    )
    assert [q["id"] for q in order["questions"]] == [ids[1], ids[0], ids[2]]
    bad_order = api.put(
        f"v1/templates/{tid}/questions/order", json={"question_ids": ids[:2]}, headers=h
    )
    assert "question_ids" in _problem(bad_order, 422)["detail"]

    # and renames it with the version it read; a stale version is a 409
    version = order["template_version"]
    renamed = ok(
        api.patch(f"v1/templates/{tid}", json={"version": version, "title": "SRE"}, headers=h),
        200,
    )
    _problem(
        api.patch(f"v1/templates/{tid}", json={"version": version, "title": "Old"}, headers=h),
        409,
    )

    # Then it publishes (HR sees correct options and rubric), and questions are frozen
    published = ok(api.post(f"v1/templates/{tid}/publish", headers=h), 200)
    assert published["status"] == "active"
    assert published["version"] == renamed["version"] + 1
    questions = published["questions"]
    assert [q["type"] for q in questions] == ["text", "video", "multiple_choice"]
    assert questions[0]["rubric"] == "Profiling"
    assert questions[2]["options"][0]["correct"] is True
    _problem(
        api.post(
            f"v1/templates/{tid}/questions",
            json={"type": "text", "text": "One more question here"},
            headers=h,
        ),
        409,
    )
    _problem(api.delete(f"v1/templates/{tid}", headers=h), 409)

    # When HR invites a candidate / Then the link is shown once, and a second invite is a 409
    invitation = ok(
        api.post(
            "v1/invitations",
            json={
                "template_id": tid,
                "candidate_name": "Ada Lovelace",
                "candidate_email": "ada@example.com",
            },
            headers=h,
        ),
        201,
    )
    assert str(invitation["link_url"]).endswith(f"/interview#{invitation['link_token']}")
    assert len(str(invitation["link_token"])) == 43
    _problem(
        api.post(
            "v1/invitations",
            json={
                "template_id": tid,
                "candidate_name": "Ada",
                "candidate_email": "ADA@example.com",
            },
            headers=h,
        ),
        409,
    )

    # and a bulk invite reports each row
    report = ok(
        api.post(
            "v1/invitations/bulk",
            json={
                "template_id": tid,
                "candidates": [
                    {"candidate_name": "Alan", "candidate_email": "alan@example.com"},
                    {"candidate_name": "Ada", "candidate_email": "ada@example.com"},
                    {"candidate_name": "", "candidate_email": "nobody@example.com"},
                ],
            },
            headers=h,
        ),
        200,
    )
    assert [r["status"] for r in report["results"]] == ["created", "duplicate", "invalid"]

    # and the list pages newest first by template, with a cursor
    first = ok(api.get("v1/invitations", params={"template_id": tid, "limit": 1}, headers=h), 200)
    second = ok(
        api.get(
            "v1/invitations",
            params={"template_id": tid, "limit": 1, "cursor": first["next_cursor"]},
            headers=h,
        ),
        200,
    )
    listed = [i["candidate_email"] for i in first["items"] + second["items"]]
    assert listed == ["alan@example.com", "ada@example.com"]
    assert second["next_cursor"] is None

    # and another company sees none of it
    o = other_hr.headers()
    _problem(api.get(f"v1/templates/{tid}", headers=o), 404)
    _problem(api.get(f"v1/invitations/{invitation['id']}", headers=o), 404)
    assert ok(api.get("v1/invitations", params={"template_id": tid}, headers=o), 200)["items"] == []


def test_an_archived_template_is_read_only_and_duplicates_into_a_draft(
    api: httpx.Client, hr: Actor
) -> None:
    h = hr.headers()
    tid = make_template(api, hr, kinds=("video", "text", "multiple_choice"))
    publish(api, hr, tid)

    # When HR archives the template / Then it is read-only, and duplicating makes a new draft
    ok(api.post(f"v1/templates/{tid}/archive", headers=h), 200)
    _problem(api.patch(f"v1/templates/{tid}", json={"version": 99, "title": "X"}, headers=h), 409)
    dup_key = {**h, "Idempotency-Key": f"dup-{uuid.uuid4()}"}
    copy = ok(api.post(f"v1/templates/{tid}/duplicate", headers=dup_key), 201)
    again = ok(api.post(f"v1/templates/{tid}/duplicate", headers=dup_key), 201)
    assert again["id"] == copy["id"]
    assert copy["status"] == "draft"
    assert len(copy["questions"]) == 3
    drafts = ok(api.get("v1/templates", params={"status": "draft"}, headers=h), 200)
    assert copy["id"] in [t["id"] for t in drafts["items"]]
    ok(api.delete(f"v1/templates/{copy['id']}", headers=h), 204)


def test_hr_resends_cancels_and_extends_invitations(api: httpx.Client, hr: Actor) -> None:
    # Given a published template and two pending invitations
    h = hr.headers()
    tid = make_template(api, hr)
    publish(api, hr, tid)
    first, second = invite(api, hr, tid), invite(api, hr, tid)

    # When HR resends the first / Then a new link replaces the old one
    resent = ok(api.post(f"v1/invitations/{first['id']}/resend", headers=h), 200)
    assert resent["link_token"] != first["link_token"]
    assert resent["send_count"] == 2

    # When HR extends it by 3 days / Then the expiry moved by exactly that
    extended = ok(
        api.post(f"v1/invitations/{first['id']}/extend", json={"days": 3}, headers=h), 200
    )
    moved = datetime.fromisoformat(str(extended["expires_at"])) - datetime.fromisoformat(
        str(first["expires_at"])
    )
    assert moved.days == 3

    # When HR cancels the second / Then it cannot be resent or extended any more
    cancelled = ok(api.post(f"v1/invitations/{second['id']}/cancel", headers=h), 200)
    assert cancelled["status"] == "cancelled"
    _problem(api.post(f"v1/invitations/{second['id']}/resend", headers=h), 409)
    _problem(api.post(f"v1/invitations/{second['id']}/extend", json={"days": 1}, headers=h), 409)
    cancelled_list = ok(
        api.get("v1/invitations", params={"status": "cancelled", "template_id": tid}, headers=h),
        200,
    )
    assert [i["id"] for i in cancelled_list["items"]] == [second["id"]]

    # and an overdue invitation is not extended (the sweep may not have marked it yet)
    expire_directly(str(first["id"]))
    _problem(api.post(f"v1/invitations/{first['id']}/extend", json={"days": 1}, headers=h), 409)


def test_hr_reviews_a_completed_interview_and_decides(
    api: httpx.Client, hr: Actor, media_object: tuple[str, str]
) -> None:
    # Given a completed interview with a video, a text and a multiple-choice answer
    h = hr.headers()
    tid = make_template(api, hr, kinds=("video", "text", "multiple_choice"))
    publish(api, hr, tid)
    invitation = invite(api, hr, tid)
    _problem(
        api.post(
            f"v1/invitations/{invitation['id']}/decision", json={"decision": "advance"}, headers=h
        ),
        409,
    )
    _, key = media_object
    done = complete_directly(str(invitation["id"]), key)

    # When HR opens it
    detail = ok(api.get(f"v1/invitations/{invitation['id']}", headers=h), 200)

    # Then it has its questions in order and the answers, the video with a playable URL
    assert detail["invitation"]["status"] == "completed"
    assert len(detail["questions"]) == 3
    answers = {a["kind"]: a for a in detail["answers"]}
    media = answers["media"]["media_ref"]
    assert media["playback_expires_in"] <= 900
    played = httpx.get(media["playback_url"], timeout=30)
    assert played.status_code == 200
    assert played.content == b"webm-bytes!"
    assert answers["text"]["text"] == "I would measure first."
    assert len(answers["choice"]["selected_option_ids"]) == 1
    assert detail["analysis"] is None
    assert answers["media"]["media"] is None

    # When HR rates an answer twice and decides: reject needs a note
    review_path = f"v1/invitations/{invitation['id']}/answers/{done.answer_ids[0]}/review"
    ok(api.put(review_path, json={"rating": 2}, headers=h), 200)
    rated = ok(api.put(review_path, json={"rating": 4, "comment": "Clear"}, headers=h), 200)
    assert (rated["rating"], rated["comment"]) == (4, "Clear")
    missing_note = api.post(
        f"v1/invitations/{invitation['id']}/decision", json={"decision": "reject"}, headers=h
    )
    fields = [e["field"] for e in _problem(missing_note, 422)["errors"]]
    assert "body.note" in fields
    decided = ok(
        api.post(
            f"v1/invitations/{invitation['id']}/decision",
            json={"decision": "reject", "note": "Not enough depth"},
            headers=h,
        ),
        200,
    )

    # Then the invitation shows one review per reviewer and the decision
    detail = ok(api.get(f"v1/invitations/{invitation['id']}", headers=h), 200)
    reviewed = next(a for a in detail["answers"] if a["id"] == done.answer_ids[0])
    assert [(r["rating"], r["comment"]) for r in reviewed["reviews"]] == [(4, "Clear")]
    assert detail["decision"] == decided
    assert decided["decision"] == "reject"


def test_a_candidates_link_token_never_opens_hr_routes(api: httpx.Client, hr: Actor) -> None:
    # Given an invitation's link token
    tid = make_template(api, hr)
    publish(api, hr, tid)
    invitation = invite(api, hr, tid)
    token = str(invitation["link_token"])

    # When it is presented to HR routes, as a bearer or as the candidate header
    for headers in ({"Authorization": f"Bearer {token}"}, {"X-Invitation-Token": token}):
        for method, path in (
            ("GET", f"v1/invitations/{invitation['id']}"),
            ("GET", "v1/invitations"),
            ("GET", f"v1/templates/{tid}"),
            ("POST", f"v1/invitations/{invitation['id']}/resend"),
        ):
            # Then every one is refused as unauthenticated
            _problem(api.request(method, path, headers=headers), 401)
