"""What producers emit matches the published JSON Schemas in events/schemas."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import pytest

from scripts.event_schemas import SCHEMAS_DIR, stale_files
from shared.events import CATALOGUE
from tests.unit.events.builders import SAMPLE_PAYLOADS, sample_event


@cache
def _schema(event_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS_DIR / f"{event_type}.json").read_text())
    return schema


def _validator(event_type: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        _schema(event_type), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_schema_files_are_current_with_the_catalogue() -> None:
    assert stale_files() == []


def test_every_catalogue_type_has_a_sample_payload() -> None:
    assert set(SAMPLE_PAYLOADS) == set(CATALOGUE)


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_emitted_event_matches_its_schema(event_type: str) -> None:
    detail = sample_event(event_type).to_detail()

    _validator(event_type).validate(detail)


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_schema_refuses_what_the_catalogue_refuses(event_type: str) -> None:
    detail = sample_event(event_type).to_detail()
    wrong_type = {**detail, "eventType": "other.thing"}
    extra_payload_field = {**detail, "payload": {**detail["payload"], "sneaky": 1}}
    missing_payload_field = {**detail, "payload": {}}

    validator = _validator(event_type)
    for bad in (wrong_type, extra_payload_field, missing_payload_field):
        assert not validator.is_valid(bad)
