"""Our ASL files state each workflow's retry policy once; `render` expands them into exactly the
definitions the files held before (``snapshots/``: the files as they were when every state still
listed its retriers), and refuses names that would let a file drift."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from interview_platform import asl
from interview_platform.constants import STATEMACHINES_DIR

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
WORKFLOWS = ["analysis.asl.json", "answer_analysis.asl.json", "media_pipeline.asl.json"]


def _retry_lists(states: dict[str, Any]) -> list[list[Any]]:
    found: list[list[Any]] = []
    for state in states.values():
        if "Retry" in state:
            found.append(state["Retry"])
        machines = [*state.get("Branches", []), *filter(None, [state.get("ItemProcessor")])]
        for machine in machines:
            found.extend(_retry_lists(machine["States"]))
    return found


@pytest.mark.parametrize("name", WORKFLOWS)
def test_the_rendered_definition_is_the_definition_as_it_was_byte_for_byte(name: str) -> None:
    # Given the file as it is now and its snapshot from before the policies were factored
    snapshot = (SNAPSHOTS / name).read_text(encoding="utf-8")
    # When it is rendered
    rendered = asl.render(STATEMACHINES_DIR / name)
    # Then it is the same definition, key order and formatting included
    assert json.loads(rendered) == json.loads(snapshot)
    assert rendered == snapshot


@pytest.mark.parametrize("name", WORKFLOWS)
def test_each_retrier_is_written_once_per_file(name: str) -> None:
    source = json.loads((STATEMACHINES_DIR / name).read_text(encoding="utf-8"))
    written = [
        json.dumps(entry, sort_keys=True)
        for retry in _retry_lists(source["States"])
        for entry in retry
        if isinstance(entry, dict)
    ]
    assert len(written) == len(set(written)), "a retrier copied into several states"
    assert source[asl.POLICIES_KEY], "the workflow's policy lives in x-retry-policies"


@pytest.mark.parametrize("name", WORKFLOWS)
def test_the_rendered_definition_is_plain_asl(name: str) -> None:
    definition = json.loads(asl.render(STATEMACHINES_DIR / name))
    assert asl.POLICIES_KEY not in definition
    for retry in _retry_lists(definition["States"]):
        assert retry
        assert all(isinstance(r, dict) and r["ErrorEquals"] for r in retry)


def _source(retry: list[Any], policies: dict[str, Any]) -> dict[str, Any]:
    own = {"ErrorEquals": ["GroqRateLimited"], "MaxAttempts": 5}
    return {
        "StartAt": "Step",
        asl.POLICIES_KEY: policies,
        "States": {
            "Step": {"Type": "Task", "Resource": "${StepFunctionArn}", "Retry": retry, "End": True},
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Inner",
                        "States": {"Inner": {"Type": "Task", "Retry": [own, "Lambda"]}},
                    }
                ],
            },
        },
    }


LAMBDA = [{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 3}]


def test_a_policy_expands_in_place_beside_the_states_own_retriers_in_branches_too() -> None:
    own = {"ErrorEquals": ["GroqRateLimited"], "MaxAttempts": 5}
    source = _source(["Lambda", own], {"Lambda": LAMBDA})
    before = copy.deepcopy(source)
    definition = asl.expand(source)
    assert definition["States"]["Step"]["Retry"] == [*LAMBDA, own]
    inner = definition["States"]["Fan"]["Branches"][0]["States"]["Inner"]
    assert inner["Retry"] == [own, *LAMBDA]
    assert definition["States"]["Step"]["Resource"] == "${StepFunctionArn}"
    assert list(definition) == ["StartAt", "States"]
    assert source == before


def test_an_unknown_policy_name_is_refused() -> None:
    with pytest.raises(asl.AslError, match="Lambdaa"):
        asl.expand(_source(["Lambdaa"], {"Lambda": LAMBDA}))


def test_a_policy_no_state_uses_is_refused() -> None:
    with pytest.raises(asl.AslError, match="Unused"):
        asl.expand(_source(["Lambda"], {"Lambda": LAMBDA, "Unused": LAMBDA}))


def test_a_policy_naming_another_policy_is_refused() -> None:
    with pytest.raises(asl.AslError, match="Outer"):
        asl.expand(_source(["Outer"], {"Lambda": LAMBDA, "Outer": ["Lambda"]}))


def test_render_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "x.asl.json"
    path.write_text(json.dumps(_source(["Lambda"], {"Lambda": LAMBDA})), encoding="utf-8")
    assert json.loads(asl.render(path))["States"]["Step"]["Retry"] == LAMBDA
