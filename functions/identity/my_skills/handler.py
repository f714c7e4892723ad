"""A candidate's own skills: list, add or re-assess one (level 1-5 and years), remove one."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from shared.http.app import create_app, lambda_handler_for
from shared.identity import skills
from shared.identity.public import CANDIDATE, caller_transaction
from shared.identity.skill_models import CandidateSkills, CandidateSkillSet

app = create_app("My skills")


@app.get("/v1/my-skills", response_model=CandidateSkills, tags=["skills"])
def my_skills(request: Request) -> CandidateSkills:
    with caller_transaction(request, CANDIDATE) as (conn, caller):
        return skills.my_skills(conn, caller)


@app.put("/v1/my-skills/{skill_id}", response_model=CandidateSkills, tags=["skills"])
def set_my_skill(skill_id: uuid.UUID, body: CandidateSkillSet, request: Request) -> CandidateSkills:
    with caller_transaction(request, CANDIDATE) as (conn, caller):
        return skills.set_my_skill(conn, caller, skill_id, body)


@app.delete("/v1/my-skills/{skill_id}", status_code=204, tags=["skills"])
def remove_my_skill(skill_id: uuid.UUID, request: Request) -> Response:
    with caller_transaction(request, CANDIDATE) as (conn, caller):
        skills.remove_my_skill(conn, caller, skill_id)
    return Response(status_code=204)


handler = lambda_handler_for(app)
