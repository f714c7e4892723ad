"""Analyses that exist in the stage's database for a given company, for route tests and the
authorization matrix (the workflow's own e2e tests make them the real way)."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests.integration.analysis.fixtures import interview


def stage_db() -> psycopg.Connection[Any]:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    return psycopg.connect(conninfo_for(settings), autocommit=True)


def stored_analysis(company_id: str | UUID, status: str = "completed") -> UUID:
    """A completed (or failed) analysis of a new invitation of the company; its invitation id.

    A failed one has a real interview behind it (text and multiple choice), so a retry runs."""
    item = interview(UUID(str(company_id)), spoken=(), choice_correct=True)
    with stage_db() as conn, conn.transaction():
        conn.execute(
            "INSERT INTO analysis.triggers (invitation_id, company_id, completed, completed_at,"
            " started_at) VALUES (%s, %s, %s, now(), now())",
            (item.invitation_id, item.company_id, Jsonb(item.completed.model_dump(mode="json"))),
        )
        conn.execute(
            "INSERT INTO analysis.analyses (id, company_id, invitation_id, status, reason, engine,"
            " model, prompt_version, weights, overall, recommendation, completed_at)"
            " VALUES (%s, %s, %s, %s, %s, 'offline', 'heuristic-baseline-v1', 'v1', %s, %s, %s,"
            " now())",
            (
                uuid.uuid4(),
                item.company_id,
                item.invitation_id,
                status,
                "GroqServerError: Groq answered 500" if status == "failed" else "fixture",
                Jsonb({"relevance": 0.25, "completeness": 0.25, "clarity": 0.25, "depth": 0.25}),
                None if status == "failed" else 80,
                None if status == "failed" else "hire",
            ),
        )
    return item.invitation_id
