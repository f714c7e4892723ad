"""The connection type, the row helpers and the tenant scope every context's data access uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row

Conn = psycopg.Connection[Any]
Params = dict[str, Any] | tuple[Any, ...]


def fetch_one(conn: Conn, query: str, params: Params) -> dict[str, Any] | None:
    """The query's first row as a dict (None when there is none)."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query.encode(), params)
        return cur.fetchone()


def fetch_all(conn: Conn, query: str, params: Params) -> list[dict[str, Any]]:
    """Every row of the query as dicts."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query.encode(), params)
        return cur.fetchall()


@dataclass(frozen=True, slots=True)
class TenantScope:
    """Whose rows a caller may see: one company's, or (admins only) every company's."""

    company_id: uuid.UUID | None
    all_companies: bool = False
