"""The prompt builder's inputs have no field that could carry a candidate's personal data, and
the Groq engine's messages are built from those inputs alone."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from shared.analysis.engine_groq import ChatReply, GroqEngine, Message
from shared.analysis.models import AnswerInput, Segment, SkillAsked, SummaryItem, Transcript
from shared.analysis.prompts import load_prompts

PERSONAL = ("name", "email", "phone", "candidate", "gender", "age", "birth", "address")


def test_the_builders_input_models_have_no_field_for_personal_data() -> None:
    # Given the models the prompt builder takes / Then they hold exactly these fields
    assert set(AnswerInput.model_fields) == {
        "answer_id", "question_id", "position", "question", "rubric", "language", "transcript",
        "skills",
    }  # fmt: skip
    # a required skill is the taxonomy's (its id and the skill's name), never the candidate's
    assert set(SkillAsked.model_fields) == {"skill_id", "name"}
    assert SkillAsked.model_config.get("extra") == "forbid"
    assert set(Transcript.model_fields) == {"text", "language", "engine", "segments"}
    assert set(Segment.model_fields) == {"start", "end", "text"}
    assert set(SummaryItem.model_fields) == {
        "position", "question", "kind", "score", "criteria", "unscorable_reason", "flagged",
    }  # fmt: skip
    # and none of them is named for personal data, nor accepts extra fields
    for model in (AnswerInput, SummaryItem):
        assert model.model_config.get("extra") == "forbid"
        for field in model.model_fields:
            assert not set(field.split("_")) & set(PERSONAL), (model.__name__, field)


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[list[Message]] = []

    def complete(self, messages: Sequence[Message]) -> ChatReply:
        self.sent.append(list(messages))
        criterion = {"score": 60, "justification": "Fine.", "quotes": ["read the plan"]}
        body = dict.fromkeys(("relevance", "completeness", "clarity", "depth"), criterion)
        return ChatReply(json.dumps(body), 10, 10, 1)


def test_the_answer_prompt_is_made_of_the_question_rubric_and_answer_only() -> None:
    # Given an answer input and an engine whose transport records what it sends
    answer = AnswerInput(
        answer_id=uuid.uuid4(),
        question_id=uuid.uuid4(),
        position=1,
        question="How would you make a slow SQL query faster?",
        rubric="Reads the plan first.",
        language="en",
        transcript=Transcript(text="I would read the plan first."),
        skills=[SkillAsked(skill_id=uuid.uuid4(), name="PostgreSQL")],
    )
    recorder = _Recorder()
    engine = GroqEngine(recorder, load_prompts(), model="m", fence=lambda *_: "F00")

    # When the engine assesses it
    engine.assess(answer)

    # Then the user message is the prompt template filled with those values and nothing else
    (messages,) = recorder.sent
    expected = load_prompts().render(
        "answer_user",
        fence="F00",
        question=answer.question,
        rubric="Reads the plan first.",
        skills='["PostgreSQL"]',
        language="en",
        transcript="I would read the plan first.",
    )
    assert messages[1]["content"] == expected
    assert str(answer.answer_id) not in json.dumps(messages)
    # the skill's name reaches the prompt, its id does not
    assert str(answer.skills[0].skill_id) not in json.dumps(messages)
