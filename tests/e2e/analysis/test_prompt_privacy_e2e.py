"""The prompt holds no personal data, and HR's result explains itself, on the live local stack:
a real invitation (a distinctive name and email) answered through the candidate's link flow,
completed, analysed by the real workflow against the fake Groq server; then every chat request
the fake received is searched for the candidate's name and email, and HR's analysis is checked
for its explanation (what the model saw, the engine, the scoring rules) and for the template's
required skills (made by an admin, attached by HR) that the answer evidences, with quotes."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from fakes.groq.server import FakeGroqServer
from tests.e2e.analysis.conftest import wait_for
from tests.e2e.identity_actors import Actor, make_admin, make_hr_with_company
from tests.e2e.interviews.hr_support import ok
from tests.e2e.interviews.media_fixtures import CONSENT, TOKEN_HEADER

CHAT = "/openai/v1/chat/completions"
QUESTION = "How would you make a slow SQL query faster? Name your first steps."
RUBRIC = "Reads the query plan, checks indexes and row estimates, measures before and after."
CHOICE = "Which isolation level prevents non-repeatable reads?"


def _required_skills(api: httpx.Client, template_id: str, hr: Actor, marker: str) -> list[str]:
    """An admin's category with two skills (one the answer names, one it does not), attached
    by HR as the template's required skills; their names."""
    admin = make_admin(api)
    category = ok(
        api.post("v1/skill-categories", json={"name": f"Data {marker}"}, headers=admin.headers()),
        201,
    )
    skills = [
        ok(
            api.post(
                "v1/skills",
                json={"category_id": category["id"], "name": name},
                headers=admin.headers(),
            ),
            201,
        )
        for name in (f"EXPLAIN ANALYZE {marker}", f"Kafka {marker}")
    ]
    ok(
        api.put(
            f"v1/templates/{template_id}/skills",
            json={"skill_ids": [s["id"] for s in skills]},
            headers=hr.headers(),
        ),
        200,
    )
    return [s["name"] for s in skills]


def _interview(api: httpx.Client, hr: Actor) -> tuple[str, dict[str, str]]:
    """A published template with a text question (with a rubric) and a multiple-choice one."""
    headers = hr.headers()
    template = ok(
        api.post(
            "v1/templates",
            json={"title": "Data engineer", "settings": {"language": "en"}},
            headers=headers,
        ),
        201,
    )
    base = f"v1/templates/{template['id']}/questions"
    questions: dict[str, str] = {}
    for body in (
        {"type": "text", "text": QUESTION, "time_limit_s": 300, "rubric": RUBRIC},
        {
            "type": "multiple_choice",
            "text": CHOICE,
            "time_limit_s": 60,
            "options": [
                {"text": "Read committed", "correct": False},
                {"text": "Repeatable read", "correct": True},
            ],
        },
    ):
        created = ok(api.post(base, json=body, headers=headers), 201)["question"]
        questions[str(body["type"])] = created["id"]
        if created.get("options"):
            questions["correct"] = next(o["id"] for o in created["options"] if o["correct"])
    ok(api.post(f"v1/templates/{template['id']}/publish", headers=headers), 200)
    return str(template["id"]), questions


@pytest.fixture(scope="module")
def analysed(api: httpx.Client, fake_groq: FakeGroqServer) -> dict[str, Any]:
    """The interview answered, completed and analysed; what the fake received meanwhile."""
    fake_groq.reset()
    hr = make_hr_with_company(api, "privacy")
    template_id, questions = _interview(api, hr)
    marker = uuid.uuid4().hex[:8]
    skills = _required_skills(api, template_id, hr, marker)
    name = f"Zebulon Quillfeather-Marchetti {marker}"
    email = f"zq.marchetti.{marker}@canary-pii.example"
    answer = (
        f"I would read the plan with EXPLAIN ANALYZE {marker} first. Then I add an index and"
        " measure again."
    )
    invitation = ok(
        api.post(
            "v1/invitations",
            json={"template_id": template_id, "candidate_name": name, "candidate_email": email},
            headers=hr.headers(),
        ),
        201,
    )
    link = {TOKEN_HEADER: invitation["link_token"]}
    ok(api.post("v1/candidate/interview/start", json=CONSENT, headers=link), 200)
    answers = "v1/candidate/interview/questions/{}/answer"
    ok(api.post(answers.format(questions["text"]), json={"text": answer}, headers=link), 201)
    ok(
        api.post(
            answers.format(questions["multiple_choice"]),
            json={"option_ids": [questions["correct"]]},
            headers=link,
        ),
        201,
    )
    ok(api.post("v1/candidate/interview/complete", json={"reason": "manual"}, headers=link), 200)
    path = f"v1/invitations/{invitation['id']}/analysis"

    def finished() -> dict[str, Any] | None:
        response = api.get(path, headers=hr.headers())
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return body if body["status"] in {"completed", "failed"} else None

    result = wait_for(finished, 240, "the analysis of the interview")
    return {
        "result": result,
        "name": name,
        "email": email,
        "marker": marker,
        "answer": answer,
        "requests": [
            json.dumps(r.messages) for r in list(fake_groq.records) if r.path == CHAT and r.messages
        ],
        "questions": questions,
        "skills": skills,
    }


def test_no_chat_request_carries_the_candidates_name_or_email(analysed: dict[str, Any]) -> None:
    # Given the analysed interview of a candidate with a distinctive name and email
    assert analysed["result"]["status"] == "completed", analysed["result"]
    # (the model did read this candidate's answer: the test would see a leak)
    ours = [r for r in analysed["requests"] if analysed["marker"] in r]
    assert ours, "no chat request carried the candidate's answer"

    # When every request the fake received is searched / Then no personal data is in any
    email = analysed["email"]
    local, domain = email.split("@")
    forbidden = [analysed["name"], *analysed["name"].split()[:2], email, local, domain]
    for request in analysed["requests"]:
        lowered = request.casefold()
        for needle in forbidden:
            assert needle.casefold() not in lowered, needle


def test_hr_reads_what_the_model_saw_and_the_rules_behind_the_recommendation(
    analysed: dict[str, Any],
) -> None:
    # Given the completed analysis / When HR reads it / Then it carries its explanation
    result = analysed["result"]
    explanation = result["explanation"]
    assert explanation["engine"] == result["engine"] == "groq"
    assert explanation["model"] == result["model"]
    assert explanation["prompt_version"] == result["prompt_version"]
    assert "never the candidate's name" in explanation["personal_data"]
    # per answer: the text answer's exact model input, the choice scored without a model
    by_question = {a["question_id"]: a for a in explanation["answers"]}
    text = by_question[analysed["questions"]["text"]]
    assert text["method"] == "engine"
    assert text["model_input"] == {
        "question": QUESTION,
        "rubric": RUBRIC,
        "language": "en",
        "transcript": analysed["answer"],
        "skills": analysed["skills"],
    }
    choice = by_question[analysed["questions"]["multiple_choice"]]
    assert choice["method"] == "exact_choice"
    assert choice["model_input"] is None
    # and the rules: weights, thresholds, overrides, and how they applied here
    rules = explanation["rules"]
    assert rules["weights"] == {
        "relevance": 0.25,
        "completeness": 0.25,
        "clarity": 0.25,
        "depth": 0.25,
    }
    assert rules["thresholds"] == {"hire": ">= 75", "consider": "50-74", "reject": "< 50"}
    assert any("red flag" in o for o in rules["overrides"])
    assert rules["applied"] == result["reason"]
    assert result["recommendation"] in rules["applied"]


def test_hr_reads_the_required_skills_the_answers_evidence_with_verified_quotes(
    analysed: dict[str, Any],
) -> None:
    # Given a template requiring two skills, and an answer that shows one of them
    result = analysed["result"]
    shown, absent = analysed["skills"]
    # Then the model was asked about both, by name (in their own block of the prompt)
    ours = [r for r in analysed["requests"] if analysed["marker"] in r]
    assert any(shown in r and absent in r and "skills_evidenced" in r for r in ours)
    # and HR's result: the text answer evidences the skill it shows, with a verbatim quote
    text = next(a for a in result["answers"] if a["question_id"] == analysed["questions"]["text"])
    (evidence,) = text["skills_evidenced"]
    assert evidence["name"] == shown
    assert evidence["quote"]["text"] in analysed["answer"]
    assert shown in evidence["quote"]["text"]
    # and per skill: one evidenced (in that answer), one not
    assert [(s["name"], s["evidenced"]) for s in result["skills"]] == sorted(
        [(shown, True), (absent, False)], key=lambda s: s[0].casefold()
    )
    (found,) = [s for s in result["skills"] if s["evidenced"]]
    assert [e["position"] for e in found["evidence"]] == [text["position"]]
