"""Write one JSON Schema per event type of the catalogue into events/schemas/.

python -m scripts.event_schemas           write events/schemas/<event.type>.json
python -m scripts.event_schemas --check   fail if a schema file is missing, stale or extra

Each schema is the envelope (camelCase, as it travels in EventBridge's ``detail``) with
``eventType`` fixed to the type and ``payload`` replaced by the payload model's schema.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shared.events.catalogue import CATALOGUE
from shared.events.envelope import EventEnvelope

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS_DIR = ROOT / "events" / "schemas"
SCHEMA_ID_BASE = "https://schemas.interview-platform.dev/events/"


def schema_for(event_type: str) -> dict[str, Any]:
    model = CATALOGUE[event_type]
    envelope = EventEnvelope.model_json_schema(by_alias=True, mode="validation")
    payload = model.model_json_schema(by_alias=True, mode="validation")
    defs = payload.pop("$defs", {})
    properties = dict(envelope["properties"])
    properties["eventType"] = {"const": event_type, "title": "Eventtype", "type": "string"}
    properties["payload"] = payload
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_ID_BASE}{event_type}.json",
        "title": event_type,
        "description": f"EventBridge detail of a {event_type} event (the platform's envelope).",
        "type": "object",
        "properties": properties,
        "required": envelope["required"],
        "additionalProperties": False,
    }
    if defs:
        schema["$defs"] = defs
    return schema


def render_all() -> dict[str, str]:
    """File name -> file content, for every event type."""
    return {
        f"{event_type}.json": json.dumps(schema_for(event_type), indent=2) + "\n"
        for event_type in CATALOGUE
    }


def stale_files(directory: Path = SCHEMAS_DIR) -> list[str]:
    expected = render_all()
    present = {path.name for path in directory.glob("*.json")}
    problems = [f"{name}: extra (not in the catalogue)" for name in sorted(present - set(expected))]
    for name, text in expected.items():
        path = directory / name
        if not path.exists():
            problems.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{name}: stale")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if events/schemas is stale")
    args = parser.parse_args()
    if args.check:
        problems = stale_files()
        if problems:
            sys.exit(
                "events/schemas is not what the catalogue says (run `make event-schemas`):\n  "
                + "\n  ".join(problems)
            )
        print(f"events/schemas is up to date ({len(CATALOGUE)} event types)")
        return
    SCHEMAS_DIR.mkdir(parents=True, exist_ok=True)
    expected = render_all()
    for path in SCHEMAS_DIR.glob("*.json"):
        if path.name not in expected:
            path.unlink()
    for name, text in expected.items():
        (SCHEMAS_DIR / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(expected)} schemas into {SCHEMAS_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
