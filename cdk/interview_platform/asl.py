"""Our state machine files -> plain Amazon States Language.

A workflow states its retry policy once: the file's top-level ``"x-retry-policies"`` names lists
of retriers, and a Task's ``Retry`` list names a policy (a string) where its retriers go, beside
the state's own retriers (objects), in the order they are matched::

    "x-retry-policies": {"LambdaTransient": [{"ErrorEquals": ["Lambda.ServiceException"], ...}]},
    ...
    "Retry": [{"ErrorEquals": ["GroqRateLimited"], ...}, "LambdaTransient"]

``render`` expands the names in place (in every state, Parallel branches and Map processors
included) and drops ``x-retry-policies``, which Step Functions would refuse. ``${Placeholders}``
are left as they are, for CDK's ``definition_substitutions``. An unknown name, a policy no state
uses, or a policy naming another policy is an error, so the file cannot drift quietly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

POLICIES_KEY = "x-retry-policies"

type Retrier = dict[str, Any]
type Policies = Mapping[str, list[Retrier]]


class AslError(ValueError):
    """The file is not one we can expand: an unknown, unused or nested policy name."""


def render(path: Path | str) -> str:
    """The ASL text of the file at ``path``: policies expanded, JSON as our files are written
    (two-space indent, a final newline)."""
    source = json.loads(Path(path).read_text(encoding="utf-8"))
    return json.dumps(expand(source), indent=2, ensure_ascii=False) + "\n"


def expand(source: Mapping[str, Any]) -> dict[str, Any]:
    """``source`` (a parsed file) as plain ASL; ``source`` itself is left unchanged."""
    policies: Policies = source.get(POLICIES_KEY, {})
    for name, retriers in policies.items():
        if not all(isinstance(r, dict) for r in retriers):
            raise AslError(f"retry policy {name!r} may list retriers only, not policy names")
    used: set[str] = set()
    definition = {k: v for k, v in source.items() if k != POLICIES_KEY}
    definition["States"] = _states(definition["States"], policies, used)
    if unused := sorted(set(policies) - used):
        raise AslError(f"retry policies no state uses: {', '.join(unused)}")
    return definition


def _states(states: Mapping[str, Any], policies: Policies, used: set[str]) -> dict[str, Any]:
    return {name: _state(name, state, policies, used) for name, state in states.items()}


def _state(
    name: str, state: Mapping[str, Any], policies: Policies, used: set[str]
) -> dict[str, Any]:
    expanded = dict(state)
    if "Retry" in state:
        expanded["Retry"] = [
            dict(retrier)
            for entry in state["Retry"]
            for retrier in _retriers(name, entry, policies, used)
        ]
    if "Branches" in state:
        expanded["Branches"] = [_machine(b, policies, used) for b in state["Branches"]]
    for key in ("ItemProcessor", "Iterator"):  # Map: the current name and the legacy one
        if key in state:
            expanded[key] = _machine(state[key], policies, used)
    return expanded


def _machine(machine: Mapping[str, Any], policies: Policies, used: set[str]) -> dict[str, Any]:
    return {**machine, "States": _states(machine["States"], policies, used)}


def _retriers(state: str, entry: Any, policies: Policies, used: set[str]) -> list[Retrier]:
    if not isinstance(entry, str):
        return [entry]
    if entry not in policies:
        raise AslError(f"state {state!r} names an unknown retry policy {entry!r}")
    used.add(entry)
    return policies[entry]
