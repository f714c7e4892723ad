"""A template's required skills: HR attaches skills from the taxonomy (never free text), and
reads them back. An archived template is read-only; a retired skill cannot be newly attached
(one attached before it was retired stays, marked retired)."""

from __future__ import annotations

import uuid

from shared.dal.sql import Conn
from shared.errors import ConflictError, UnprocessableError
from shared.identity.public import Caller, skill_refs
from shared.interviews import dal
from shared.interviews.models import RequiredSkill, TemplateSkills, TemplateSkillsUpdate


def attached_skills(conn: Conn, template_id: uuid.UUID) -> list[RequiredSkill]:
    """The template's required skills from the taxonomy, by name (HR's view of them, and what
    the interview's events tell the analysis)."""
    refs = skill_refs(conn, dal.template_skill_ids(conn, template_id))
    return [
        RequiredSkill(id=r.id, name=r.name, category_name=r.category_name, retired=r.retired)
        for r in sorted(refs.values(), key=lambda r: (r.name.casefold(), str(r.id)))
    ]


def _view(conn: Conn, template_id: uuid.UUID) -> TemplateSkills:
    return TemplateSkills(template_id=template_id, skills=attached_skills(conn, template_id))


def get_template_skills(conn: Conn, caller: Caller, template_id: uuid.UUID) -> TemplateSkills:
    template = dal.get_template(conn, template_id, caller.scope())
    return _view(conn, template.id)


def set_template_skills(
    conn: Conn, caller: Caller, template_id: uuid.UUID, body: TemplateSkillsUpdate
) -> TemplateSkills:
    template = dal.get_template(conn, template_id, caller.scope(), lock=True)
    if template.status == "archived":
        raise ConflictError("An archived template is read-only.")
    current = set(dal.template_skill_ids(conn, template.id))
    refs = skill_refs(conn, body.skill_ids)
    unknown = [str(i) for i in body.skill_ids if i not in refs]
    if unknown:
        raise UnprocessableError(
            f"body.skill_ids: not in the skills taxonomy: {', '.join(unknown)}"
        )
    retired = [refs[i].name for i in body.skill_ids if refs[i].retired and i not in current]
    if retired:
        raise UnprocessableError(f"body.skill_ids: retired skills cannot be attached: {retired}")
    dal.replace_template_skills(conn, template.id, template.company_id, body.skill_ids)
    return _view(conn, template.id)
