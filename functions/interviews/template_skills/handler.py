"""GET and PUT /v1/templates/{template_id}/skills: the skills a template requires."""

from __future__ import annotations

import uuid

from fastapi import Request

from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, HR_OR_ADMIN, caller_transaction
from shared.interviews import template_skills
from shared.interviews.models import TemplateSkills, TemplateSkillsUpdate

app = create_app("Template skills")


@app.get("/v1/templates/{template_id}/skills", response_model=TemplateSkills, tags=["templates"])
def get_skills(template_id: uuid.UUID, request: Request) -> TemplateSkills:
    with caller_transaction(request, HR_OR_ADMIN) as (conn, caller):
        return template_skills.get_template_skills(conn, caller, template_id)


@app.put("/v1/templates/{template_id}/skills", response_model=TemplateSkills, tags=["templates"])
def set_skills(
    template_id: uuid.UUID, body: TemplateSkillsUpdate, request: Request
) -> TemplateSkills:
    with caller_transaction(request, HR) as (conn, caller):
        return template_skills.set_template_skills(conn, caller, template_id, body)


handler = lambda_handler_for(app)
