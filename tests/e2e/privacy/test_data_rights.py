"""Data rights on the live local stack, through API Gateway (issue 19): a candidate answers a
real interview by link (a WebM through the presigned POST, a text and a choice); the pipeline
processes it, the analysis scores it, the reports make its PDF and HR a CSV export. HR's opening
of the media and the analysis is in the audit log an admin reads with filters and a cursor. The
candidate exports their data (the JSON and working media links), then erases it: nothing is
left under the invitation's prefixes in S3 (no version, no delete marker), no transcript, text
answer or quote, no report file; the invitation row survives pseudonymised. A candidate account
exports and erases every invitation sent to its verified email; the retention sweep erases what
is past the company's period and keeps the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.interviews.candidate_models import CURRENT_CONSENT_TEXT_VERSION
from shared.settings import DatabaseSettings
from tests.e2e.analysis.conftest import wait_for
from tests.e2e.identity_actors import Actor, make_admin, make_hr_with_company, make_user
from tests.e2e.interviews.media_fixtures import Interview, make_interview, small_answer_webm
from tests.e2e.interviews.test_interview_journey import _answer_everything
from tests.e2e.reports.test_reports_e2e import _complete, _export, _report_ready, _template

PIPELINE_DEADLINE_S = 240
TEXT = "Read the plan with EXPLAIN ANALYZE, then index."


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path} -> "
        f"{response.status_code}: {response.text[:500]}"
    )
    return response.json()


def _db() -> psycopg.Connection[Any]:
    return psycopg.connect(
        conninfo_for(DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)), autocommit=True
    )


def _versions(s3: Any, bucket: str, prefix: str) -> list[str]:
    page = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    return [v["Key"] for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]]


def _processed(api: httpx.Client, interview: Interview) -> dict[str, Any]:
    """HR's view of the media once the playback and the transcript are ready, and the
    analysis once it is completed."""
    hr = interview.hr.headers()
    path = f"v1/invitations/{interview.invitation_id}"

    def media() -> dict[str, Any] | None:
        items = _ok(api.get(f"{path}/media", headers=hr))["items"]
        ready = items and all(
            i["playback_status"] == "ready" and i["transcript_status"] == "ready" for i in items
        )
        return items[0] if ready else None

    def analysis() -> dict[str, Any] | None:
        response = api.get(f"{path}/analysis", headers=hr)
        body = response.json() if response.status_code == 200 else {}
        assert body.get("status") != "failed", body
        return body if body.get("status") == "completed" else None

    wait_for(media, PIPELINE_DEADLINE_S, "the answer's playback and transcript", interval_s=2)
    return dict(wait_for(analysis, PIPELINE_DEADLINE_S, "the analysis", interval_s=2))


def _audit(api: httpx.Client, admin: Actor, **params: Any) -> dict[str, Any]:
    return dict(_ok(api.get("v1/privacy/audit-log", params=params, headers=admin.headers())))


@pytest.mark.timeout(900)
def test_the_candidate_exports_then_erases_and_nothing_is_left_readable(  # noqa: PLR0915
    api: httpx.Client, outputs: dict[str, str], tmp_path: Path
) -> None:
    # Given a candidate who answered a real interview, processed, analysed, reported, exported
    hr = make_hr_with_company(api, "hr-rights")
    interview = make_interview(api, hr)
    video = small_answer_webm(tmp_path / "answer.webm")
    _answer_everything(api, interview, video)
    analysis = _processed(api, interview)
    report = _report_ready(api, hr, interview.invitation_id, after=0)
    rows = _export(api, hr, {})
    assert interview.invitation_id in {r["invitation_id"] for r in rows}
    with _db() as conn:
        job_row = conn.execute(
            "SELECT id FROM reports.jobs WHERE company_id = %s AND kind = 'csv_export'",
            (hr.company_id,),
        ).fetchone()
    assert job_row is not None
    export_id = str(job_row[0])
    link = interview.candidate_headers()

    # When the candidate exports their data by link
    exported = _ok(api.get("v1/candidate/data", headers=link))

    # Then the JSON holds their invitation: company, title, status, consent, every answer
    [item] = exported["invitations"]
    assert item["invitation_id"] == interview.invitation_id
    assert item["company"] == "hr-rights Ltd"
    assert item["template_title"] == "Backend engineer"
    assert item["status"] == "completed"
    assert item["candidate_name"] == "Grace"
    assert item["consent"]["recording_consented_at"] is not None
    assert item["consent"]["ai_analysis"] is True
    assert item["consent"]["text_version"] == CURRENT_CONSENT_TEXT_VERSION
    assert item["erasure"] is None
    by_question = {a["question_id"]: a for a in item["answers"]}
    assert by_question[interview.questions["text"]]["text"] == TEXT
    assert by_question[interview.questions["multiple_choice"]]["selected_options"] == [
        "Repeatable read"
    ]
    # and the analysis HR sees
    assert item["analysis"]["status"] == "completed"
    assert item["analysis"]["overall"] == analysis["overall"]
    # and media links that work: the recording gives back exactly the uploaded bytes
    spoken = by_question[interview.questions["video"]]
    assert spoken["transcript"] is not None
    links = {m["kind"]: m["url"] for m in spoken["media"]}
    assert set(links) == {"recording", "playback", "thumbnail"}
    assert all(m["expires_in_s"] <= 900 for m in spoken["media"])
    recording = httpx.get(links["recording"], timeout=60)
    assert recording.status_code == 200
    assert recording.content == video
    for kind in ("playback", "thumbnail"):
        assert httpx.get(links[kind], timeout=60).status_code == 200, kind
    # and each link opens its own key only
    assert len({u.split("?")[0] for u in links.values()}) == 3

    # When the candidate asks for erasure by link
    erased = _ok(api.post("v1/candidate/data/erasure", headers=link))

    # Then it is completed
    assert [e["status"] for e in erased["erasures"]] == ["completed"]
    # and no object version or delete marker is left under the invitation's prefixes
    s3 = localenv.client("s3")
    bucket = outputs["MediaBucketName"]
    company, invitation = hr.company_id, interview.invitation_id
    for prefix in (
        f"raw/{company}/{invitation}/",
        f"media/{company}/{invitation}/",
        f"tmp/{company}/{invitation}/",
        f"reports/{company}/candidates/{invitation}/",
        f"reports/{company}/exports/{export_id}",
    ):
        assert _versions(s3, bucket, prefix) == [], prefix
    # and the links the export gave are dead, the PDF's too
    assert httpx.get(links["recording"], timeout=60).status_code == 404
    assert httpx.get(report["download_url"], timeout=60).status_code == 404
    # and the export that held the candidate's row says it was removed
    job = _ok(api.get(f"v1/reports/exports/{export_id}", headers=hr.headers()))
    assert job["status"] == "failed"
    # and the database keeps no transcript, text answer or quote, and a pseudonymised row
    with _db() as conn:
        assert conn.execute(
            "SELECT count(*) FROM media.transcripts t JOIN interviews.uploads u"
            " ON u.id = t.upload_id WHERE u.invitation_id = %s",
            (invitation,),
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM interviews.answers WHERE invitation_id = %s"
            " AND text_answer IS NOT NULL",
            (invitation,),
        ).fetchone() == (0,)
        quotes = conn.execute(
            "SELECT count(*) FROM analysis.answer_results r JOIN analysis.analyses a"
            " ON a.id = r.analysis_id, jsonb_each(r.criteria) c"
            " WHERE a.invitation_id = %s AND jsonb_array_length(c.value -> 'quotes') > 0",
            (invitation,),
        ).fetchone()
        assert quotes == (0,)
        assert conn.execute(
            "SELECT candidate_name, candidate_email::text, status FROM interviews.invitations"
            " WHERE id = %s",
            (invitation,),
        ).fetchone() == ("Erased candidate", f"erased-{invitation}@erased.invalid", "completed")
    # and HR sees the pseudonym, the status and the scores (counts and the funnel survive)
    detail = _ok(api.get(f"v1/invitations/{invitation}", headers=hr.headers()))
    assert detail["invitation"]["candidate_name"] == "Erased candidate"
    assert detail["invitation"]["status"] == "completed"
    funnel = _ok(api.get("v1/reports/funnel", headers=hr.headers()))
    assert {s["stage"]: s["count"] for s in funnel["stages"]}["completed"] == 1

    # When the candidate asks again, and exports again
    again = _ok(api.post("v1/candidate/data/erasure", headers=link))
    after = _ok(api.get("v1/candidate/data", headers=link))
    # Then the same erasure answers, and the export shows its status and no links
    assert again["erasures"] == erased["erasures"]
    [item] = after["invitations"]
    assert item["erasure"]["status"] == "completed"
    assert item["candidate_name"] == "Erased candidate"
    assert all(not a["media"] and a["text"] is None for a in item["answers"])


def test_hr_opening_media_and_analysis_is_in_the_audit_log_for_admins(
    api: httpx.Client,
) -> None:
    # Given an admin, and HR of a company with a completed, analysed interview
    admin = make_admin(api)
    hr = make_hr_with_company(api, "hr-audited")
    template_id, questions = _template(api, hr, "Audited")
    invitation = _ok(
        api.post(
            "v1/invitations",
            json={
                "template_id": template_id,
                "candidate_name": "Ada",
                "candidate_email": f"ada-{hr.user_id[:8]}@example.com",
            },
            headers=hr.headers(),
        ),
        201,
    )
    _complete(api, invitation, questions)
    started = datetime.now(UTC) - timedelta(seconds=5)
    path = f"v1/invitations/{invitation['id']}"

    # When HR opens the invitation's media and, once it is there, its analysis
    _ok(api.get(f"{path}/media", headers=hr.headers()))

    def analysis() -> bool:
        response = api.get(f"{path}/analysis", headers=hr.headers())
        return response.status_code == 200 and response.json()["status"] == "completed"

    wait_for(analysis, PIPELINE_DEADLINE_S, "the analysis", interval_s=2)

    # Then the admin reads both actions by HR, for the invitation, newest first
    mine = _audit(api, admin, actor_id=hr.user_id)
    actions = [e["action"] for e in mine["items"]]
    assert "media.viewed" in actions
    assert "analysis.viewed" in actions
    # (the actor's other entries are their sign-up's: the role chosen, the company created)
    views = [e for e in mine["items"] if e["action"] in ("media.viewed", "analysis.viewed")]
    assert all(e["tenant_id"] == hr.company_id for e in views)
    assert all(e["payload"]["invitationId"] == invitation["id"] for e in views)
    times = [e["occurred_at"] for e in mine["items"]]
    assert times == sorted(times, reverse=True)
    # and filters by action, tenant and time
    viewed = _audit(api, admin, actor_id=hr.user_id, action="media.viewed")
    assert [e["action"] for e in viewed["items"]] == ["media.viewed"]
    tenant = _audit(api, admin, tenant_id=hr.company_id, action="analysis.viewed")
    assert tenant["items"]
    assert {e["actor_id"] for e in tenant["items"]} == {hr.user_id}
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert _audit(api, admin, actor_id=hr.user_id, since=later)["items"] == []
    before = _audit(
        api, admin, actor_id=hr.user_id, action="media.viewed", until=started.isoformat()
    )
    assert before["items"] == []
    # and pages through them one at a time with the cursor, each entry once
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"actor_id": hr.user_id, "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = _audit(api, admin, **params)
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [e["id"] for e in mine["items"]]
    # and a bad cursor or range is a 422 problem, not a 500
    bad = api.get(
        "v1/privacy/audit-log", params={"cursor": "not-a-cursor"}, headers=admin.headers()
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    # and HR cannot read the audit log
    assert api.get("v1/privacy/audit-log", headers=hr.headers()).status_code == 403


def _invite_email(api: httpx.Client, hr: Actor, email: str) -> dict[str, Any]:
    template_id, questions = _template(api, hr, f"For {hr.name}")
    invitation = _ok(
        api.post(
            "v1/invitations",
            json={"template_id": template_id, "candidate_name": "Lin", "candidate_email": email},
            headers=hr.headers(),
        ),
        201,
    )
    invitation["questions"] = questions
    return dict(invitation)


def test_a_candidate_account_exports_and_erases_every_invitation_to_its_email(
    api: httpx.Client,
) -> None:
    # Given a candidate account (verified email), invited by two companies, one of them answered
    candidate = make_user(api, "account-candidate", "candidate")
    first = _invite_email(api, make_hr_with_company(api, "hr-first"), candidate.email)
    second = _invite_email(api, make_hr_with_company(api, "hr-second"), candidate.email)
    _complete(api, first, first["questions"])

    # When the account exports its data
    exported = _ok(api.get("v1/privacy/data", headers=candidate.headers()))

    # Then both invitations are there, across companies, with the answered one's words
    by_id = {i["invitation_id"]: i for i in exported["invitations"]}
    assert set(by_id) == {first["id"], second["id"]}
    assert {i["company"] for i in by_id.values()} == {"hr-first Ltd", "hr-second Ltd"}
    assert any(a["text"] for a in by_id[first["id"]]["answers"])
    assert by_id[second["id"]]["status"] == "pending"

    # When the account asks for erasure
    erased = _ok(api.post("v1/privacy/data/erasure", headers=candidate.headers()))

    # Then both are erased (the pending one is closed), and nothing is exported any more
    assert {(e["invitation_id"], e["status"], e["requested_via"]) for e in erased["erasures"]} == {
        (first["id"], "completed", "account"),
        (second["id"], "completed", "account"),
    }
    assert _ok(api.get("v1/privacy/data", headers=candidate.headers()))["invitations"] == []
    # and the pending invitation's link is dead
    link = {"X-Invitation-Token": str(second["link_token"])}
    assert api.get("v1/candidate/interview", headers=link).status_code == 410


def _cancelled(api: httpx.Client, hr: Actor, template_id: str, days_ago: int) -> str:
    invitation = _ok(
        api.post(
            "v1/invitations",
            json={
                "template_id": template_id,
                "candidate_name": f"Kept {days_ago}",
                "candidate_email": f"ret-{days_ago}-{hr.user_id[:8]}@example.com",
            },
            headers=hr.headers(),
        ),
        201,
    )
    _ok(api.post(f"v1/invitations/{invitation['id']}/cancel", headers=hr.headers()))
    with _db() as conn:
        conn.execute(
            "UPDATE interviews.invitations SET cancelled_at = now() - make_interval(days => %s)"
            " WHERE id = %s",
            (days_ago, invitation["id"]),
        )
    return str(invitation["id"])


def test_the_retention_sweep_erases_what_is_past_the_company_period_and_keeps_the_rest(
    api: httpx.Client, outputs: dict[str, str], lambda_client: Any
) -> None:
    # Given a company's owner who sets a retention period of 30 days (too short is refused)
    hr = make_hr_with_company(api, "hr-retention")
    too_short = api.put("v1/privacy/retention", json={"retention_days": 7}, headers=hr.headers())
    assert too_short.status_code == 422
    assert too_short.headers["content-type"].startswith("application/problem+json")
    set_to = _ok(api.put("v1/privacy/retention", json={"retention_days": 30}, headers=hr.headers()))
    assert set_to["retention_days"] == 30
    assert _ok(api.get("v1/privacy/retention", headers=hr.headers()))["retention_days"] == 30
    # and invitations that finished 45 and 10 days ago
    template_id, _ = _template(api, hr, "Retention")
    old = _cancelled(api, hr, template_id, 45)
    recent = _cancelled(api, hr, template_id, 10)

    # When the privacy sweep runs
    answer = lambda_client.invoke(FunctionName=outputs["PrivacySweepFunctionName"])
    assert "FunctionError" not in answer, answer["Payload"].read()

    # Then the one past retention is erased, the other kept
    def name(invitation_id: str) -> str:
        body = _ok(api.get(f"v1/invitations/{invitation_id}", headers=hr.headers()))
        return str(body["invitation"]["candidate_name"])

    assert name(old) == "Erased candidate"
    assert name(recent) == "Kept 10"
    # And clearing the period keeps everything from then on
    cleared = _ok(
        api.put("v1/privacy/retention", json={"retention_days": None}, headers=hr.headers())
    )
    assert cleared["retention_days"] is None
