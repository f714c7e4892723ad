"""A skill's events against real PostgreSQL: created, updated (with the changed fields) and
retired (once: a repeated retire emits nothing), each from the skill's row as it is then."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.identity import dal as identity_dal
from shared.identity import skills
from shared.identity.caller import load_caller
from shared.identity.skill_models import CategoryCreate, SkillCreate, SkillUpdate
from shared.settings import DatabaseSettings


def _events(conn: psycopg.Connection[Any], skill_id: uuid.UUID) -> list[tuple[str, Any]]:
    rows = conn.execute(
        "SELECT event_type, envelope -> 'payload' FROM platform.outbox"
        " WHERE envelope -> 'payload' ->> 'id' = %s ORDER BY created_at, event_type",
        (str(skill_id),),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def test_a_skill_emits_created_updated_and_retired_once(
    database_settings: DatabaseSettings,
) -> None:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # Given an admin and a category
        admin = identity_dal.insert_user(
            conn, f"admin-{uuid.uuid4().hex[:8]}@example.com", "x", "admin", verified=True
        )
        caller = load_caller(conn, str(admin.id), "t")
        suffix = uuid.uuid4().hex[:8]
        category = skills.create_category(conn, caller, CategoryCreate(name=f"Data {suffix}"))
        # When a skill is created, renamed, and retired twice
        made = skills.create_skill(
            conn, caller, SkillCreate(category_id=category.id, name=f"SQL {suffix}")
        )
        skills.update_skill(conn, caller, made.id, SkillUpdate(name=f"Postgres {suffix}"))
        skills.retire_skill(conn, caller, made.id)
        skills.retire_skill(conn, caller, made.id)
        # Then three events, each with the skill as it was then, the update naming its field
        events = _events(conn, made.id)
        assert [t for t, _ in events] == ["skill.created", "skill.updated", "skill.retired"]
        for _, payload in events:
            assert payload["kind"] == "skill"
            assert payload["categoryId"] == str(category.id)
            assert payload["actorId"] == str(admin.id)
        assert events[0][1]["name"] == f"SQL {suffix}"
        assert events[1][1]["name"] == f"Postgres {suffix}"
        assert events[1][1]["changedFields"] == ["name"]
        assert events[2][1]["name"] == f"Postgres {suffix}"
