"""Templates and their questions: HR's use cases, one transaction each.

Lifecycle ``draft -> active -> archived``. Questions change only while a template is a draft:
publishing freezes the interview candidates take (duplicate it to change a live one). Every
change bumps the template's version; a PATCH naming an older version is a 409.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel

from shared.billing import public as billing
from shared.dal.sql import Conn
from shared.errors import ConflictError, UnprocessableError
from shared.events import enqueue, new_event
from shared.identity.public import Caller
from shared.interviews import dal
from shared.interviews.models import (
    MAX_QUESTIONS,
    ChoiceOptionIn,
    QuestionChange,
    QuestionCreate,
    QuestionOrder,
    QuestionOut,
    QuestionUpdate,
    ReorderRequest,
    TemplateCreate,
    TemplateOut,
    TemplatePage,
    TemplateSummary,
    TemplateUpdate,
    check_options,
)
from shared.interviews.pagination import decode_cursor, next_cursor
from shared.interviews.rows import QuestionRow, TemplateRow
from shared.models.events.interviews import TemplateArchived, TemplatePublished

EVENT_SOURCE = "interviews"
_COPY_SUFFIX = " (copy)"


def emit(conn: Conn, caller: Caller, event_type: str, payload: BaseModel) -> None:
    enqueue(
        conn,
        new_event(
            event_type,
            payload,
            source=EVENT_SOURCE,
            correlation_id=caller.correlation_id,
            tenant_id=caller.user.company_id,
        ),
    )


def company_of(caller: Caller) -> uuid.UUID:
    """The caller's company: HR acts only inside one."""
    if caller.user.company_id is None:
        raise ConflictError("Create or join a company first.")
    return caller.user.company_id


def _out(conn: Conn, template: TemplateRow) -> TemplateOut:
    return TemplateOut.with_questions(template, dal.list_questions(conn, template.id))


def _reload(conn: Conn, caller: Caller, template_id: uuid.UUID) -> TemplateOut:
    return _out(conn, dal.get_template(conn, template_id, caller.scope()))


# ---- lifecycle rules (pure) ----------------------------------------------------------------
def check_update(status: str, current_version: int, given_version: int, fields: set[str]) -> None:
    """Archived is read-only; a stale version is a conflict; a published template keeps the
    settings and weights its candidates were invited under (title and description may change)."""
    if status == "archived":
        raise ConflictError("An archived template is read-only.")
    if given_version != current_version:
        raise ConflictError(
            f"The template changed meanwhile (version {current_version}, not {given_version});"
            " read it again."
        )
    frozen = {"settings", "scoring_weights"} & fields
    if status == "active" and frozen:
        raise ConflictError(
            f"A published template's {', '.join(sorted(frozen))} cannot change; duplicate it."
        )


def check_deletable(status: str) -> None:
    if status != "draft":
        raise ConflictError("Only a draft can be deleted; archive a published template.")


def needs_publishing(status: str, question_count: int) -> bool:
    """draft -> active needs a question; an active template stays as it is (a repeat is a
    no-op); an archived one is terminal."""
    if status == "active":
        return False
    if status == "archived":
        raise ConflictError("An archived template cannot be published; duplicate it.")
    if question_count < 1:
        raise ConflictError("A template needs at least one question to be published.")
    return True


def needs_archiving(status: str) -> bool:
    """active -> archived; archiving again is a no-op; a draft is deleted, not archived."""
    if status == "archived":
        return False
    if status == "draft":
        raise ConflictError("A draft is not archived; delete it.")
    return True


def check_questions_editable(status: str) -> None:
    if status != "draft":
        raise ConflictError(
            "Questions change only while the template is a draft; duplicate it to change it."
        )


# ---- templates -----------------------------------------------------------------------------
def create_template(conn: Conn, caller: Caller, body: TemplateCreate) -> TemplateOut:
    template_id = dal.insert_template(
        conn,
        company_id=company_of(caller),
        created_by=caller.id,
        title=body.title,
        description=body.description,
        settings=body.settings.model_dump(mode="json"),
        scoring_weights=body.scoring_weights.model_dump(mode="json"),
    )
    return _reload(conn, caller, template_id)


def get_template(conn: Conn, caller: Caller, template_id: uuid.UUID) -> TemplateOut:
    return _reload(conn, caller, template_id)


def list_templates(
    conn: Conn, caller: Caller, *, status: str | None, limit: int, cursor: str | None
) -> TemplatePage:
    after = decode_cursor(cursor) if cursor else None
    rows = dal.list_templates(conn, caller.scope(), status=status, limit=limit, after=after)
    return TemplatePage(
        items=[TemplateSummary.of(r) for r in rows[:limit]],
        next_cursor=next_cursor([(r.created_at, r.id) for r in rows], limit),
    )


def _locked(conn: Conn, caller: Caller, template_id: uuid.UUID) -> TemplateRow:
    return dal.get_template(conn, template_id, caller.scope(), lock=True)


def update_template(
    conn: Conn, caller: Caller, template_id: uuid.UUID, body: TemplateUpdate
) -> TemplateOut:
    template = _locked(conn, caller, template_id)
    changes = body.changes()
    check_update(template.status, template.version, body.version, set(changes))
    dal.update_template(conn, template.id, changes)
    return _reload(conn, caller, template.id)


def delete_template(conn: Conn, caller: Caller, template_id: uuid.UUID) -> None:
    template = _locked(conn, caller, template_id)
    check_deletable(template.status)
    dal.delete_template(conn, template.id)


def publish_template(conn: Conn, caller: Caller, template_id: uuid.UUID) -> TemplateOut:
    """draft -> active (needs a question). Publishing an active template again is a no-op."""
    template = _locked(conn, caller, template_id)
    if not needs_publishing(template.status, template.question_count):
        return _out(conn, template)
    # An active template holds one of the plan's units until it is archived.
    billing.reserve(conn, template.company_id, "active_templates")
    dal.set_template_status(conn, template.id, "active")
    published = _reload(conn, caller, template.id)
    emit(
        conn,
        caller,
        "template.published",
        TemplatePublished(
            template_id=template.id,
            title=published.title,
            version=published.version,
            question_count=published.question_count,
            actor_id=caller.id,
        ),
    )
    return published


def archive_template(conn: Conn, caller: Caller, template_id: uuid.UUID) -> TemplateOut:
    """active -> archived (terminal). Archiving again is a no-op; a draft is deleted instead."""
    template = _locked(conn, caller, template_id)
    if not needs_archiving(template.status):
        return _out(conn, template)
    dal.set_template_status(conn, template.id, "archived")
    billing.release(conn, template.company_id, "active_templates")
    archived = _reload(conn, caller, template.id)
    emit(
        conn,
        caller,
        "template.archived",
        TemplateArchived(template_id=template.id, version=archived.version, actor_id=caller.id),
    )
    return archived


def duplicate_template(conn: Conn, caller: Caller, template_id: uuid.UUID) -> TemplateOut:
    """A new draft with the same settings, required skills and copies of the questions (new
    ids throughout)."""
    source = dal.get_template(conn, template_id, caller.scope())
    company_id = company_of(caller)
    title = source.title[: 200 - len(_COPY_SUFFIX)] + _COPY_SUFFIX
    copy_id = dal.insert_template(
        conn,
        company_id=company_id,
        created_by=caller.id,
        title=title,
        description=source.description,
        settings=source.settings,
        scoring_weights=source.scoring_weights,
    )
    for question in dal.list_questions(conn, source.id):
        fields = _question_fields(question)
        if question.options is not None:
            fields["options"] = _with_ids(
                [ChoiceOptionIn(text=o.text, correct=o.correct) for o in question.options]
            )
        dal.insert_question(
            conn,
            template_id=copy_id,
            company_id=company_id,
            position=question.position,
            fields=fields,
        )
    dal.copy_template_skills(conn, source.id, copy_id)
    return _reload(conn, caller, copy_id)


# ---- questions -----------------------------------------------------------------------------
def _draft(conn: Conn, caller: Caller, template_id: uuid.UUID) -> TemplateRow:
    template = _locked(conn, caller, template_id)
    check_questions_editable(template.status)
    return template


def _with_ids(options: list[ChoiceOptionIn]) -> list[dict[str, Any]]:
    return [{"id": str(uuid.uuid4()), "text": o.text, "correct": o.correct} for o in options]


def _question_fields(question: QuestionRow) -> dict[str, Any]:
    return question.model_dump(mode="json", include=set(dal.QUESTION_FIELDS))


def add_question(
    conn: Conn, caller: Caller, template_id: uuid.UUID, body: QuestionCreate
) -> QuestionChange:
    template = _draft(conn, caller, template_id)
    if template.question_count >= MAX_QUESTIONS:
        raise ConflictError(f"A template has at most {MAX_QUESTIONS} questions.")
    fields = body.model_dump(mode="json", exclude={"options"})
    if fields["think_time_s"] is None:
        fields["think_time_s"] = int(template.settings.get("think_time_default_s", 0))
    fields["options"] = _with_ids(body.options) if body.options is not None else None
    question_id = dal.insert_question(
        conn,
        template_id=template.id,
        company_id=template.company_id,
        position=template.question_count + 1,
        fields=fields,
    )
    version = dal.bump_template_version(conn, template.id)
    return QuestionChange(
        template_version=version,
        question=QuestionOut.of(dal.get_question(conn, template.id, question_id)),
    )


def update_question(
    conn: Conn,
    caller: Caller,
    template_id: uuid.UUID,
    question_id: uuid.UUID,
    body: QuestionUpdate,
) -> QuestionChange:
    template = _draft(conn, caller, template_id)
    question = dal.get_question(conn, template.id, question_id)
    changes: dict[str, Any] = body.model_dump(mode="json", include=body.model_fields_set)
    new_type = body.type if "type" in body.model_fields_set else question.type
    if "options" in body.model_fields_set:
        options: list[Any] | None = body.options
        changes["options"] = _with_ids(body.options) if body.options is not None else None
    elif new_type != "multiple_choice":
        # Leaving multiple choice drops the options; staying keeps them.
        options = None
        changes["options"] = None
    else:
        options = question.options
    try:
        check_options(new_type, options)
    except ValueError as exc:
        raise UnprocessableError(f"body.options: {exc}.") from exc
    dal.update_question(conn, question.id, changes)
    version = dal.bump_template_version(conn, template.id)
    return QuestionChange(
        template_version=version,
        question=QuestionOut.of(dal.get_question(conn, template.id, question.id)),
    )


def delete_question(
    conn: Conn, caller: Caller, template_id: uuid.UUID, question_id: uuid.UUID
) -> QuestionChange:
    template = _draft(conn, caller, template_id)
    dal.delete_question(conn, dal.get_question(conn, template.id, question_id))
    return QuestionChange(template_version=dal.bump_template_version(conn, template.id))


def check_reorder(current: list[uuid.UUID], requested: list[uuid.UUID]) -> None:
    """The request must name exactly the template's questions, each once."""
    if len(set(requested)) != len(requested):
        raise UnprocessableError("body.question_ids: question ids must not repeat.")
    if set(requested) != set(current):
        missing = len(set(current) - set(requested))
        unknown = len(set(requested) - set(current))
        raise UnprocessableError(
            "body.question_ids: give every question of the template exactly once"
            f" ({missing} missing, {unknown} not of this template)."
        )


def reorder_questions(
    conn: Conn, caller: Caller, template_id: uuid.UUID, body: ReorderRequest
) -> QuestionOrder:
    template = _draft(conn, caller, template_id)
    current = dal.list_questions(conn, template.id)
    check_reorder([q.id for q in current], body.question_ids)
    dal.reorder_questions(conn, template.id, body.question_ids)
    version = dal.bump_template_version(conn, template.id)
    return QuestionOrder(
        template_version=version,
        questions=[QuestionOut.of(q) for q in dal.list_questions(conn, template.id)],
    )
