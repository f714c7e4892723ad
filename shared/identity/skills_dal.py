"""The skills taxonomy's data access (identity.skill_categories, identity.skills,
identity.user_skills): the only module speaking SQL to those tables.

Lists are by name, keyset on (name, id): names are citext, so the order and the uniqueness are
both case-insensitive.
"""

# SQL here is built only from this module's constant fragments; values always go as parameters.
# ruff: noqa: S608
from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg import errors as pg_errors

from shared.dal.sql import Conn, fetch_all, fetch_one
from shared.errors import ConflictError, NotFoundError
from shared.identity.skill_models import CandidateSkillRow, CategoryRow, SkillRef, SkillRow

NameCursor = tuple[str, uuid.UUID]

_CATEGORY_COLUMNS = "id, name::text AS name, description, retired_at, created_at, updated_at"
_SKILL_COLUMNS = (
    "s.id, s.category_id, c.name::text AS category_name, s.name::text AS name, s.description,"
    " s.retired_at, s.created_at, s.updated_at"
)
_SKILL_FROM = "identity.skills s JOIN identity.skill_categories c ON c.id = s.category_id"


def _duplicate(kind: str, name: str) -> ConflictError:
    return ConflictError(f"A {kind} named {name!r} already exists.")


@dataclass(frozen=True, slots=True)
class _Listed:
    """A taxonomy table as its lists read it: the columns, the FROM clause, and the prefix of
    its own columns there (its alias)."""

    columns: str
    source: str
    prefix: str = ""


_CATEGORIES = _Listed(_CATEGORY_COLUMNS, "identity.skill_categories")
_SKILLS = _Listed(_SKILL_COLUMNS, _SKILL_FROM, "s.")


def _page(
    conn: Conn,
    table: _Listed,
    *,
    include_retired: bool,
    limit: int,
    after: NameCursor | None,
    where: tuple[str, ...] = (),
    params: dict[str, object] | None = None,
) -> list[dict[str, Any]]:
    """One page by name, keyset on (name, id): ``limit + 1`` rows (is there a next page?).
    ``where``: more conditions, on the named ``params``."""
    p = table.prefix
    conditions = [f"(%(retired)s OR {p}retired_at IS NULL)", *where]
    values: dict[str, object] = {"retired": include_retired, "limit": limit + 1, **(params or {})}
    if after is not None:
        conditions.append(f"({p}name, {p}id) > (%(after_name)s::citext, %(after_id)s)")
        values |= {"after_name": after[0], "after_id": after[1]}
    return fetch_all(
        conn,
        f"SELECT {table.columns} FROM {table.source} WHERE {' AND '.join(conditions)}"
        f" ORDER BY {p}name, {p}id LIMIT %(limit)s",
        values,
    )


# ---- categories ------------------------------------------------------------------------------


def insert_category(conn: Conn, name: str, description: str | None) -> CategoryRow:
    try:
        with conn.transaction():
            row = fetch_one(
                conn,
                "INSERT INTO identity.skill_categories (name, description) VALUES (%s, %s)"
                f" RETURNING {_CATEGORY_COLUMNS}",
                (name, description),
            )
    except pg_errors.UniqueViolation as exc:
        raise _duplicate("skill category", name) from exc
    assert row is not None
    return CategoryRow.model_validate(row)


def get_category(conn: Conn, category_id: uuid.UUID, *, lock: bool = False) -> CategoryRow:
    row = fetch_one(
        conn,
        f"SELECT {_CATEGORY_COLUMNS} FROM identity.skill_categories WHERE id = %s"
        + (" FOR UPDATE" if lock else ""),
        (category_id,),
    )
    if row is None:
        raise NotFoundError("No such skill category.")
    return CategoryRow.model_validate(row)


def update_category(
    conn: Conn, category_id: uuid.UUID, changes: dict[str, str | None]
) -> CategoryRow:
    """Only the named columns (``name``, ``description``) change."""
    sets = [f"{column} = %({column})s" for column in changes if column in ("name", "description")]
    try:
        with conn.transaction():
            row = fetch_one(
                conn,
                f"UPDATE identity.skill_categories SET {', '.join([*sets, 'updated_at = now()'])}"
                f" WHERE id = %(id)s RETURNING {_CATEGORY_COLUMNS}",
                {**changes, "id": category_id},
            )
    except pg_errors.UniqueViolation as exc:
        raise _duplicate("skill category", str(changes.get("name"))) from exc
    if row is None:
        raise NotFoundError("No such skill category.")
    return CategoryRow.model_validate(row)


def retire_category(conn: Conn, category_id: uuid.UUID) -> list[uuid.UUID]:
    """The category and every skill in it; returns the skills retired now (not before)."""
    conn.execute(
        "UPDATE identity.skill_categories SET retired_at = now(), updated_at = now()"
        " WHERE id = %s AND retired_at IS NULL",
        (category_id,),
    )
    rows = fetch_all(
        conn,
        "UPDATE identity.skills SET retired_at = now(), updated_at = now()"
        " WHERE category_id = %s AND retired_at IS NULL RETURNING id",
        (category_id,),
    )
    return [r["id"] for r in rows]


def list_categories(
    conn: Conn, *, include_retired: bool, limit: int, after: NameCursor | None
) -> list[CategoryRow]:
    """By name; ``limit + 1`` rows (is there a next page?)."""
    rows = _page(conn, _CATEGORIES, include_retired=include_retired, limit=limit, after=after)
    return [CategoryRow.model_validate(r) for r in rows]


# ---- skills ----------------------------------------------------------------------------------


def insert_skill(
    conn: Conn, category_id: uuid.UUID, name: str, description: str | None
) -> uuid.UUID:
    try:
        with conn.transaction():
            row = fetch_one(
                conn,
                "INSERT INTO identity.skills (category_id, name, description) VALUES (%s, %s, %s)"
                " RETURNING id",
                (category_id, name, description),
            )
    except pg_errors.UniqueViolation as exc:
        raise _duplicate("skill", name) from exc
    assert row is not None
    return uuid.UUID(str(row["id"]))


def get_skill(conn: Conn, skill_id: uuid.UUID) -> SkillRow:
    row = fetch_one(
        conn, f"SELECT {_SKILL_COLUMNS} FROM {_SKILL_FROM} WHERE s.id = %s", (skill_id,)
    )
    if row is None:
        raise NotFoundError("No such skill.")
    return SkillRow.model_validate(row)


def update_skill(conn: Conn, skill_id: uuid.UUID, changes: dict[str, object]) -> bool:
    """Only the named columns (``name``, ``category_id``, ``description``) change; False when
    there is no such skill."""
    allowed = ("name", "category_id", "description")
    sets = [f"{column} = %({column})s" for column in changes if column in allowed]
    try:
        with conn.transaction():
            row = fetch_one(
                conn,
                f"UPDATE identity.skills SET {', '.join([*sets, 'updated_at = now()'])}"
                " WHERE id = %(id)s RETURNING id",
                {**changes, "id": skill_id},
            )
    except pg_errors.UniqueViolation as exc:
        raise _duplicate("skill", str(changes.get("name"))) from exc
    return row is not None


def retire_skill(conn: Conn, skill_id: uuid.UUID) -> bool:
    """True when it was retired now (False: it already was, or there is no such skill)."""
    row = fetch_one(
        conn,
        "UPDATE identity.skills SET retired_at = now(), updated_at = now()"
        " WHERE id = %s AND retired_at IS NULL RETURNING id",
        (skill_id,),
    )
    return row is not None


def list_skills(
    conn: Conn,
    *,
    category_id: uuid.UUID | None,
    include_retired: bool,
    limit: int,
    after: NameCursor | None,
) -> list[SkillRow]:
    in_category = category_id is not None
    rows = _page(
        conn,
        _SKILLS,
        include_retired=include_retired,
        limit=limit,
        after=after,
        where=("s.category_id = %(category)s",) if in_category else (),
        params={"category": category_id} if in_category else None,
    )
    return [SkillRow.model_validate(r) for r in rows]


def skill_refs(conn: Conn, skill_ids: list[uuid.UUID]) -> dict[uuid.UUID, SkillRef]:
    rows = fetch_all(
        conn,
        "SELECT s.id, s.name::text AS name, c.name::text AS category_name,"
        f" s.retired_at IS NOT NULL AS retired FROM {_SKILL_FROM} WHERE s.id = ANY(%s)",
        (skill_ids,),
    )
    return {r["id"]: SkillRef.model_validate(r) for r in rows}


# ---- a candidate's skills ----------------------------------------------------------------------


def list_user_skills(conn: Conn, user_id: uuid.UUID) -> list[CandidateSkillRow]:
    rows = fetch_all(
        conn,
        "SELECT u.skill_id, s.name::text AS name, s.category_id, c.name::text AS category_name,"
        " u.level, u.years, s.retired_at, u.updated_at"
        f" FROM identity.user_skills u JOIN {_SKILL_FROM} ON s.id = u.skill_id"
        " WHERE u.user_id = %s ORDER BY s.name, s.id",
        (user_id,),
    )
    return [CandidateSkillRow.model_validate(r) for r in rows]


def lock_user_skills(conn: Conn, user_id: uuid.UUID) -> int:
    """Serialise one user's changes (the cap counts rows): lock the user, count the skills."""
    conn.execute("SELECT 1 FROM identity.users WHERE id = %s FOR UPDATE", (user_id,))
    row = fetch_one(
        conn, "SELECT count(*) AS n FROM identity.user_skills WHERE user_id = %s", (user_id,)
    )
    return int(row["n"]) if row else 0


def has_user_skill(conn: Conn, user_id: uuid.UUID, skill_id: uuid.UUID) -> bool:
    row = fetch_one(
        conn,
        "SELECT 1 FROM identity.user_skills WHERE user_id = %s AND skill_id = %s",
        (user_id, skill_id),
    )
    return row is not None


def upsert_user_skill(
    conn: Conn, user_id: uuid.UUID, skill_id: uuid.UUID, level: int, years: Decimal
) -> None:
    conn.execute(
        "INSERT INTO identity.user_skills (user_id, skill_id, level, years) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (user_id, skill_id) DO UPDATE SET level = EXCLUDED.level,"
        " years = EXCLUDED.years, updated_at = now()",
        (user_id, skill_id, level, years),
    )


def delete_user_skill(conn: Conn, user_id: uuid.UUID, skill_id: uuid.UUID) -> bool:
    row = fetch_one(
        conn,
        "DELETE FROM identity.user_skills WHERE user_id = %s AND skill_id = %s RETURNING skill_id",
        (user_id, skill_id),
    )
    return row is not None
