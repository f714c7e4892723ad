"""The skills taxonomy: admins create, rename and retire categories and skills (names unique,
case-insensitively); everyone signed in lists them; a candidate records their own skills with a
self-assessed level and years.

Nothing is deleted from the taxonomy: a retired skill stays readable where it was used (a
candidate's profile, a template's requirements) and cannot be newly chosen.
"""

from __future__ import annotations

import base64
import binascii
import uuid

from shared.dal.sql import Conn
from shared.errors import ConflictError, NotFoundError, UnprocessableError
from shared.identity import skills_dal as dal
from shared.identity.caller import Caller
from shared.identity.events import emit
from shared.identity.skill_models import (
    MAX_CANDIDATE_SKILLS,
    CandidateSkillOut,
    CandidateSkills,
    CandidateSkillSet,
    CategoryCreate,
    CategoryOut,
    CategoryPage,
    CategoryUpdate,
    SkillCreate,
    SkillOut,
    SkillPage,
    SkillRow,
    SkillUpdate,
)
from shared.models.events.identity import SkillChanged

_SEPARATOR = "|"
MAX_CURSOR_LENGTH = 200


def encode_cursor(name: str, row_id: uuid.UUID) -> str:
    raw = f"{row_id}{_SEPARATOR}{name}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dal.NameCursor:
    """The (name, id) a cursor names; anything else is a 422 naming ``query.cursor``."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        ident, name = raw.split(_SEPARATOR, 1)
        if not name:
            raise ValueError("no name")
        return name, uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise UnprocessableError("query.cursor: the cursor is not valid.") from exc


def _next(rows: list[tuple[str, uuid.UUID]], limit: int) -> str | None:
    if len(rows) <= limit:
        return None
    name, row_id = rows[limit - 1]
    return encode_cursor(name, row_id)


def _emit(conn: Conn, caller: Caller, event_type: str, payload: SkillChanged) -> None:
    emit(conn, event_type, payload, caller.correlation_id)


def _emit_skill(
    conn: Conn,
    caller: Caller,
    event_type: str,
    row: SkillRow,
    changed_fields: list[str] | None = None,
) -> None:
    """A skill's event (created, updated, retired), from its row as it is now."""
    extra = {} if changed_fields is None else {"changed_fields": changed_fields}
    payload = SkillChanged(
        kind="skill",
        id=row.id,
        name=row.name,
        category_id=row.category_id,
        actor_id=caller.id,
        **extra,
    )
    _emit(conn, caller, event_type, payload)


# ---- admins: categories ---------------------------------------------------------------------


def create_category(conn: Conn, caller: Caller, body: CategoryCreate) -> CategoryOut:
    row = dal.insert_category(conn, body.name, body.description)
    _emit(
        conn,
        caller,
        "skill.created",
        SkillChanged(kind="category", id=row.id, name=row.name, actor_id=caller.id),
    )
    return CategoryOut.of(row)


def update_category(
    conn: Conn, caller: Caller, category_id: uuid.UUID, body: CategoryUpdate
) -> CategoryOut:
    current = dal.get_category(conn, category_id, lock=True)
    if current.retired_at is not None:
        raise ConflictError("The category is retired: it can no longer be changed.")
    changes = body.model_dump(include=body.model_fields_set)
    row = dal.update_category(conn, category_id, changes)
    _emit(
        conn,
        caller,
        "skill.updated",
        SkillChanged(
            kind="category",
            id=row.id,
            name=row.name,
            changed_fields=sorted(changes),
            actor_id=caller.id,
        ),
    )
    return CategoryOut.of(row)


def retire_category(conn: Conn, caller: Caller, category_id: uuid.UUID) -> CategoryOut:
    """Idempotent: the category and every skill in it; a repeat changes and emits nothing."""
    current = dal.get_category(conn, category_id, lock=True)
    if current.retired_at is None:
        retired_skills = dal.retire_category(conn, category_id)
        _emit(
            conn,
            caller,
            "skill.retired",
            SkillChanged(kind="category", id=current.id, name=current.name, actor_id=caller.id),
        )
        for skill_id in retired_skills:
            skill = dal.get_skill(conn, skill_id)
            _emit_skill(conn, caller, "skill.retired", skill)
    return CategoryOut.of(dal.get_category(conn, category_id))


def list_categories(
    conn: Conn, *, include_retired: bool, limit: int, cursor: str | None
) -> CategoryPage:
    after = decode_cursor(cursor) if cursor else None
    rows = dal.list_categories(conn, include_retired=include_retired, limit=limit, after=after)
    return CategoryPage(
        items=[CategoryOut.of(r) for r in rows[:limit]],
        next_cursor=_next([(r.name, r.id) for r in rows], limit),
    )


# ---- admins: skills -------------------------------------------------------------------------


def _open_category(conn: Conn, category_id: uuid.UUID) -> None:
    try:
        category = dal.get_category(conn, category_id)
    except NotFoundError as exc:
        raise UnprocessableError("body.category_id: no such skill category.") from exc
    if category.retired_at is not None:
        raise ConflictError("The category is retired: no skill can be added to it.")


def create_skill(conn: Conn, caller: Caller, body: SkillCreate) -> SkillOut:
    _open_category(conn, body.category_id)
    skill_id = dal.insert_skill(conn, body.category_id, body.name, body.description)
    row = dal.get_skill(conn, skill_id)
    _emit_skill(conn, caller, "skill.created", row)
    return SkillOut.of(row)


def update_skill(conn: Conn, caller: Caller, skill_id: uuid.UUID, body: SkillUpdate) -> SkillOut:
    current = dal.get_skill(conn, skill_id)
    if current.retired_at is not None:
        raise ConflictError("The skill is retired: it can no longer be changed.")
    changes = body.model_dump(include=body.model_fields_set)
    if body.category_id is not None and body.category_id != current.category_id:
        _open_category(conn, body.category_id)
    if not dal.update_skill(conn, skill_id, changes):
        raise NotFoundError("No such skill.")
    row = dal.get_skill(conn, skill_id)
    _emit_skill(conn, caller, "skill.updated", row, sorted(changes))
    return SkillOut.of(row)


def retire_skill(conn: Conn, caller: Caller, skill_id: uuid.UUID) -> SkillOut:
    """Idempotent: a repeat changes and emits nothing."""
    dal.get_skill(conn, skill_id)
    if dal.retire_skill(conn, skill_id):
        row = dal.get_skill(conn, skill_id)
        _emit_skill(conn, caller, "skill.retired", row)
    return SkillOut.of(dal.get_skill(conn, skill_id))


def list_skills(
    conn: Conn,
    *,
    category_id: uuid.UUID | None,
    include_retired: bool,
    limit: int,
    cursor: str | None,
) -> SkillPage:
    after = decode_cursor(cursor) if cursor else None
    rows = dal.list_skills(
        conn, category_id=category_id, include_retired=include_retired, limit=limit, after=after
    )
    return SkillPage(
        items=[SkillOut.of(r) for r in rows[:limit]],
        next_cursor=_next([(r.name, r.id) for r in rows], limit),
    )


# ---- a candidate's own skills -----------------------------------------------------------------


def my_skills(conn: Conn, caller: Caller) -> CandidateSkills:
    return CandidateSkills(
        items=[CandidateSkillOut.of(r) for r in dal.list_user_skills(conn, caller.id)]
    )


def set_my_skill(
    conn: Conn, caller: Caller, skill_id: uuid.UUID, body: CandidateSkillSet
) -> CandidateSkills:
    """Add or change one skill (a PUT: repeating it is harmless). A retired skill cannot be
    added, but one already on the profile can still be re-assessed."""
    count = dal.lock_user_skills(conn, caller.id)
    skill = dal.get_skill(conn, skill_id)
    present = dal.has_user_skill(conn, caller.id, skill_id)
    if not present:
        if skill.retired_at is not None:
            raise ConflictError("The skill is retired: it can no longer be chosen.")
        if count >= MAX_CANDIDATE_SKILLS:
            raise ConflictError(f"A profile holds at most {MAX_CANDIDATE_SKILLS} skills.")
    dal.upsert_user_skill(conn, caller.id, skill_id, body.level, body.years)
    return my_skills(conn, caller)


def remove_my_skill(conn: Conn, caller: Caller, skill_id: uuid.UUID) -> None:
    """Idempotent: removing a skill the profile does not hold is not an error."""
    dal.delete_user_skill(conn, caller.id, skill_id)
