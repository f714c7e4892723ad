"""HR's analysis routes through API Gateway: the scored result with evidence, tenancy, the
engine's label, retry only when failed (idempotent), and a decision beside the AI result."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg
import pytest

from fakes.groq.server import FakeGroqServer
from tests.e2e.analysis.analysis_fixtures import stored_analysis
from tests.e2e.analysis.conftest import analysis_row, wait_for
from tests.e2e.identity_actors import PROBLEM, Actor, make_hr_with_company, make_user
from tests.integration.analysis.fixtures import (
    STRONG,
    completed_event,
    insert_transcripts,
    interview,
    media_events,
)


@pytest.fixture(scope="module")
def hr_a(api: httpx.Client) -> Actor:
    return make_hr_with_company(api, "analysis-hr-a")


@pytest.fixture(scope="module")
def hr_b(api: httpx.Client) -> Actor:
    return make_hr_with_company(api, "analysis-hr-b")


def test_hr_reads_scores_with_evidence_and_another_company_gets_404(
    api: httpx.Client,
    *,
    hr_a: Actor,
    hr_b: Actor,
    groq: FakeGroqServer,
    publish: Any,
    db: psycopg.Connection[Any],
) -> None:
    # Given company A's completed interview, analysed against the fake Groq
    item = interview(uuid.UUID(hr_a.company_id), spoken=(STRONG,))
    insert_transcripts(db, item)
    publish([*media_events(item), completed_event(item)])
    wait_for(
        lambda: (r := analysis_row(db, item.invitation_id)) and r["status"] == "completed",
        180,
        "the analysis",
    )
    # When HR of A reads it
    path = f"v1/invitations/{item.invitation_id}/analysis"
    response = api.get(path, headers=hr_a.headers())
    # Then the scores come with their evidence and what produced them
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed"
    assert body["engine"] == "groq"
    assert body["model"] == "openai/gpt-oss-120b"
    assert body["prompt_version"] == "v3"  # fenced prompts (issue 13), required skills (19)
    assert body["recommendation"] in {"hire", "consider", "reject"}
    assert body["prompt_tokens"] > 0
    assert body["summary"]
    spoken = next(a for a in body["answers"] if a["kind"] == "media")
    quote = spoken["criteria"]["relevance"]["quotes"][0]
    assert quote["text"] in STRONG
    assert quote["start"] is not None
    # And another company's HR gets 404, a candidate 403, nobody signed in 401
    assert api.get(path, headers=hr_b.headers()).status_code == 404
    candidate = make_user(api, "analysis-candidate", "candidate")
    assert api.get(path, headers=candidate.headers()).status_code == 403
    anonymous = api.get(path)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith(PROBLEM)


def test_retry_is_a_conflict_unless_failed_and_idempotent_with_a_key(
    api: httpx.Client, hr_a: Actor, db: psycopg.Connection[Any]
) -> None:
    completed = stored_analysis(hr_a.company_id)
    conflict = api.post(f"v1/invitations/{completed}/analysis/retry", headers=hr_a.headers())
    assert conflict.status_code == 409
    assert conflict.headers["content-type"].startswith(PROBLEM)
    # Given a failed analysis
    failed = stored_analysis(hr_a.company_id, status="failed")
    headers = {**hr_a.headers(), "Idempotency-Key": f"retry-{uuid.uuid4()}"}
    # When HR retries twice with the same key
    first = api.post(f"v1/invitations/{failed}/analysis/retry", headers=headers)
    again = api.post(f"v1/invitations/{failed}/analysis/retry", headers=headers)
    # Then one new attempt, the same answer twice
    assert first.status_code == 202, first.text
    assert again.status_code == 202
    assert again.json() == first.json()
    assert first.json()["attempt"] == 2
    # And the new attempt runs to the end from the stored answers (nothing re-recorded)
    row = wait_for(
        lambda: (r := analysis_row(db, failed)) and r["status"] in ("completed", "failed") and r,
        120,
        "the retried analysis",
    )
    assert row["attempt"] == 2
    assert row["status"] == "completed", row


def test_a_bad_invitation_id_is_a_422_naming_the_field(api: httpx.Client, hr_a: Actor) -> None:
    response = api.get("v1/invitations/not-a-uuid/analysis", headers=hr_a.headers())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.invitation_id"
