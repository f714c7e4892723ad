"""Migration 0026 (the candidate's consent) on a database that already holds interviews: those
started before it count as consented to both, as of their start; the others have none yet."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import psycopg

from shared.dal.db import conninfo_for
from shared.dal.migrator import MIGRATIONS_DIR, migrate
from shared.settings import DatabaseSettings

CONSENT_MIGRATION = "0026_candidate_consent.sql"


def _before_consent(tmp_path: Path) -> Path:
    """The migrations as they were before 0026."""
    shutil.copytree(MIGRATIONS_DIR, tmp_path, dirs_exist_ok=True)
    for later in tmp_path.glob("*.sql"):
        if later.name >= CONSENT_MIGRATION:
            later.unlink()
    return tmp_path


def _invitation(conn: psycopg.Connection[tuple[object, ...]], status: str, started: bool) -> str:
    user = conn.execute(
        "INSERT INTO identity.users (email, password_hash, role) VALUES (%s, 'x', 'hr')"
        " RETURNING id",
        (f"hr-{uuid.uuid4().hex[:10]}@example.com",),
    ).fetchone()
    assert user is not None
    company = conn.execute(
        "INSERT INTO identity.companies (name, owner_id) VALUES ('Acme', %s) RETURNING id",
        (user[0],),
    ).fetchone()
    assert company is not None
    template = conn.execute(
        "INSERT INTO interviews.templates (company_id, created_by, title, status)"
        " VALUES (%s, %s, 'Backend engineer', 'active') RETURNING id",
        (company[0], user[0]),
    ).fetchone()
    assert template is not None
    invitation = conn.execute(
        "INSERT INTO interviews.invitations (company_id, template_id, created_by,"
        " candidate_email, candidate_name, status, token_hash, expires_at, started_at)"
        " VALUES (%s, %s, %s, %s, 'Grace', %s, %s, now() + interval '7 days',"
        " CASE WHEN %s THEN now() - interval '1 hour' END) RETURNING id",
        (
            company[0],
            template[0],
            user[0],
            f"grace-{uuid.uuid4().hex[:8]}@example.com",
            status,
            uuid.uuid4().bytes + uuid.uuid4().bytes,
            started,
        ),
    ).fetchone()
    assert invitation is not None
    return str(invitation[0])


def test_interviews_started_before_consent_count_as_consented_to_both(
    database_settings: DatabaseSettings, tmp_path: Path
) -> None:
    # Given a database migrated up to 0025 with a completed, a running and a pending interview
    conninfo = conninfo_for(database_settings)
    migrate(conninfo, _before_consent(tmp_path))
    with psycopg.connect(conninfo) as conn:
        completed = _invitation(conn, "completed", started=True)
        running = _invitation(conn, "in_progress", started=True)
        pending = _invitation(conn, "pending", started=False)

    # When 0026 is applied
    applied = migrate(conninfo)

    # Then the started ones consented to recording and to AI analysis at their start
    assert applied[0].name == "candidate_consent"  # and the later ones after it
    with psycopg.connect(conninfo) as conn:
        rows = {
            str(r[0]): r[1:]
            for r in conn.execute(
                "SELECT id, recording_consent_at = started_at, ai_consent,"
                " ai_consent_at = started_at FROM interviews.invitations"
            ).fetchall()
        }
    assert rows[completed] == (True, True, True)
    assert rows[running] == (True, True, True)
    # and the pending one has no consent until its candidate gives it
    assert rows[pending] == (None, None, None)
