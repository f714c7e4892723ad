"""Skills evidenced in answers (issue 19): the engine is given the names of the template's
required skills; a skill counts as evidenced only when the model names a skill that was asked
for and quotes the transcript verbatim (re-asked once, then dropped and the answer flagged, like
every quote). The offline baseline and the fake Groq find a skill where the answer names it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from fakes.groq.chat import handle_chat
from shared.analysis import evidence, heuristics
from shared.analysis.engine_groq import GroqEngine
from shared.analysis.engine_offline import OfflineEngine
from shared.analysis.models import (
    AnswerInput,
    LlmAnswerAssessment,
    Segment,
    SkillAsked,
    Transcript,
)
from shared.analysis.prompts import load_prompts
from tests.unit.analysis.test_analysis_engine_groq import ScriptedTransport

TEXT = (
    "I tuned the slow queries in PostgreSQL with EXPLAIN ANALYZE. "
    "Then I moved the batch jobs to Node.js workers. I like teamwork."
)
POSTGRES = SkillAsked(skill_id=uuid.uuid4(), name="PostgreSQL")
NODE = SkillAsked(skill_id=uuid.uuid4(), name="Node.js")
KUBERNETES = SkillAsked(skill_id=uuid.uuid4(), name="Kubernetes")
SKILLS = [POSTGRES, NODE, KUBERNETES]


def _answer(skills: Sequence[SkillAsked] = SKILLS, text: str = TEXT) -> AnswerInput:
    return AnswerInput(
        answer_id=uuid.uuid4(),
        question_id=uuid.uuid4(),
        position=1,
        question="Tell us about a performance problem you solved.",
        transcript=Transcript(text=text),
        skills=list(skills),
    )


def _reply(skills: list[dict[str, str]]) -> str:
    item = {"score": 60, "justification": "Fine.", "quotes": ["tuned the slow queries"]}
    body: dict[str, object] = dict.fromkeys(("relevance", "completeness", "clarity", "depth"), item)
    body["skills_evidenced"] = skills
    return json.dumps(body)


def _engine(transport: ScriptedTransport) -> GroqEngine:
    return GroqEngine(transport, load_prompts(), model="m", fence=lambda *_: "F00")


def test_the_prompt_lists_the_required_skills_by_name_in_their_own_fenced_block() -> None:
    transport = ScriptedTransport(_reply([]))
    _engine(transport).assess(_answer())
    user = transport.asked[0][1]["content"]
    assert '<skills-F00>\n["PostgreSQL", "Node.js", "Kubernetes"]\n</skills-F00>' in user
    assert "skills_evidenced" in transport.asked[0][0]["content"]


def test_a_skill_asked_for_with_a_verbatim_quote_is_evidenced_with_its_id() -> None:
    transport = ScriptedTransport(
        _reply([{"skill": "postgresql", "quote": "tuned the slow queries in PostgreSQL"}])
    )
    outcome = _engine(transport).assess(_answer())
    assert len(transport.asked) == 1
    assert not outcome.flagged
    (found,) = outcome.skills_evidenced
    assert (found.skill_id, found.name) == (POSTGRES.skill_id, "PostgreSQL")
    assert found.quote is not None
    assert found.quote.text == "tuned the slow queries in PostgreSQL"


def test_a_skill_that_was_not_asked_for_is_dropped() -> None:
    transport = ScriptedTransport(_reply([{"skill": "Teamwork", "quote": "I like teamwork"}]))
    outcome = _engine(transport).assess(_answer())
    assert outcome.skills_evidenced == []
    assert not outcome.flagged


def test_an_invented_skill_quote_is_reasked_then_dropped_and_the_answer_flagged() -> None:
    invented = [{"skill": "Kubernetes", "quote": "I ran everything on Kubernetes"}]
    transport = ScriptedTransport(_reply(invented), _reply(invented))
    outcome = _engine(transport).assess(_answer())
    assert len(transport.asked) == 2
    assert "I ran everything on Kubernetes" in transport.asked[1][-1]["content"]
    assert outcome.skills_evidenced == []
    assert outcome.flagged
    assert outcome.flag_reason is not None
    assert "not found verbatim" in outcome.flag_reason


def test_a_reask_that_fixes_the_skill_quote_keeps_the_skill() -> None:
    transport = ScriptedTransport(
        _reply([{"skill": "Node.js", "quote": "Node workers for batches"}]),
        _reply([{"skill": "Node.js", "quote": "moved the batch jobs to Node.js workers"}]),
    )
    outcome = _engine(transport).assess(_answer())
    assert [s.skill_id for s in outcome.skills_evidenced] == [NODE.skill_id]
    assert not outcome.flagged


def test_one_entry_per_skill_in_the_order_the_skills_were_asked() -> None:
    claims = [
        ("Node.js", "moved the batch jobs to Node.js workers"),
        ("PostgreSQL", "tuned the slow queries in PostgreSQL"),
        ("postgresql", "EXPLAIN ANALYZE"),
    ]
    found = evidence.skills_evidenced(claims, SKILLS, Transcript(text=TEXT))
    assert [(s.name, s.quote.text if s.quote else None) for s in found] == [
        ("PostgreSQL", "tuned the slow queries in PostgreSQL"),
        ("Node.js", "moved the batch jobs to Node.js workers"),
    ]


def test_the_quote_gets_the_time_it_was_said_for_playback() -> None:
    transcript = Transcript(
        text=TEXT,
        segments=[
            Segment(start=0.0, end=4.0, text="I tuned the slow queries in PostgreSQL"),
            Segment(start=4.0, end=9.5, text="with EXPLAIN ANALYZE. Then I moved the batch"),
            Segment(start=9.5, end=12.0, text="jobs to Node.js workers. I like teamwork."),
        ],
    )
    (found,) = evidence.skills_evidenced(
        [("Node.js", "moved the batch jobs to Node.js workers")], SKILLS, transcript
    )
    assert found.quote is not None
    assert (found.quote.start, found.quote.end) == (4.0, 12.0)


def test_the_heuristic_finds_a_named_skill_as_a_whole_word_with_its_sentence() -> None:
    shown = heuristics.skills_shown(TEXT, ["postgresql", "Node.js", "Go", "SQL"])
    assert shown == [
        ("postgresql", "I tuned the slow queries in PostgreSQL with EXPLAIN ANALYZE."),
        ("Node.js", "Then I moved the batch jobs to Node.js workers."),
    ]


def test_the_offline_baseline_evidences_the_skills_the_answer_names() -> None:
    outcome = OfflineEngine().assess(_answer())
    assert [s.skill_id for s in outcome.skills_evidenced] == [POSTGRES.skill_id, NODE.skill_id]
    for found in outcome.skills_evidenced:
        assert found.quote is not None
        assert evidence.is_verbatim(found.quote.text, TEXT)


def test_without_required_skills_nothing_is_evidenced() -> None:
    assert OfflineEngine().assess(_answer(skills=[])).skills_evidenced == []


def test_the_fake_groq_answers_the_skills_its_prompt_lists_with_verbatim_quotes() -> None:
    prompts = load_prompts()
    body = {
        "model": "openai/gpt-oss-120b",
        "messages": [
            {"role": "system", "content": prompts.render("answer_system")},
            {
                "role": "user",
                "content": prompts.render(
                    "answer_user",
                    fence="ab12",
                    question="Tell us about a performance problem you solved.",
                    rubric="(none given)",
                    skills=json.dumps(["PostgreSQL", "Kubernetes"]),
                    language="en",
                    transcript=TEXT,
                ),
            },
        ],
    }
    status, response, _ = handle_chat(body)
    assert status == 200
    reply = LlmAnswerAssessment.model_validate_json(response["choices"][0]["message"]["content"])
    assert [(e.skill, evidence.is_verbatim(e.quote, TEXT)) for e in reply.skills_evidenced] == [
        ("PostgreSQL", True)
    ]
