"""Companies: created and owned by an HR user; members added and removed by the owner."""

from __future__ import annotations

import uuid

from shared.billing import public as billing
from shared.dal.sql import Conn
from shared.errors import ConflictError, NotFoundError, PermissionDeniedError
from shared.identity import dal
from shared.identity.caller import Caller
from shared.identity.events import emit
from shared.identity.models import CompanyCreate, CompanyOut, MemberOut
from shared.models.events.identity import CompanyCreated, CompanyMemberAdded


def create_company(conn: Conn, caller: Caller, request: CompanyCreate) -> CompanyOut:
    if caller.user.company_id is not None:
        raise ConflictError("The caller already belongs to a company.")
    company = dal.insert_company(
        conn,
        owner_id=caller.id,
        name=request.name,
        website=request.website,
        industry=request.industry,
        size_band=request.size_band,
    )
    dal.insert_member(conn, company.id, caller.id, "owner")
    billing.reserve(conn, company.id, "hr_seats")  # the owner's seat
    emit(
        conn,
        "company.created",
        CompanyCreated(company_id=company.id, name=company.name, actor_id=caller.id),
        caller.correlation_id,
        company.id,
    )
    emit(
        conn,
        "company.member_added",
        CompanyMemberAdded(
            company_id=company.id, user_id=caller.id, role="owner", actor_id=caller.id
        ),
        caller.correlation_id,
        company.id,
    )
    return company


def _manageable_company(conn: Conn, caller: Caller, company_id: uuid.UUID) -> CompanyOut:
    """The company if the caller may manage it: 404 outside their tenant, 403 for a member
    who is not the owner."""
    company = dal.get_company(conn, company_id, caller.scope(), lock=True)
    if caller.role != "admin" and company.owner_id != caller.id:
        raise PermissionDeniedError("Only the company's owner can do this.")
    return company


def add_member(conn: Conn, caller: Caller, company_id: uuid.UUID, user_id: uuid.UUID) -> MemberOut:
    company = _manageable_company(conn, caller, company_id)
    if not company.active:
        raise ConflictError("The company is deactivated.")
    target = dal.find_user(conn, user_id)
    if target is None or target.status != "active" or target.role != "hr":
        raise NotFoundError("No active HR user with this id.")
    dal.insert_member(conn, company.id, target.id, "member")
    billing.reserve(conn, company.id, "hr_seats")
    emit(
        conn,
        "company.member_added",
        CompanyMemberAdded(
            company_id=company.id, user_id=target.id, role="member", actor_id=caller.id
        ),
        caller.correlation_id,
        company.id,
    )
    return dal.get_member(conn, company.id, target.id, caller.scope())


def remove_member(conn: Conn, caller: Caller, company_id: uuid.UUID, user_id: uuid.UUID) -> None:
    company = _manageable_company(conn, caller, company_id)
    member = dal.get_member(conn, company.id, user_id, caller.scope())
    if member.member_role == "owner" or member.user_id == company.owner_id:
        raise ConflictError("The company's owner cannot be removed.")
    dal.delete_member(conn, company.id, user_id)
    billing.release(conn, company.id, "hr_seats")


def deactivate_company(conn: Conn, caller: Caller, company_id: uuid.UUID) -> CompanyOut:
    """Its owner or an admin makes the company read-only (a repeat is a no-op): its HR may read
    and export, nothing new is created, pending links answer 410, running interviews finish."""
    company = _manageable_company(conn, caller, company_id)
    dal.set_company_active(conn, company.id, active=False)
    return dal.get_company(conn, company.id, caller.scope())


def reactivate_company(conn: Conn, caller: Caller, company_id: uuid.UUID) -> CompanyOut:
    """Only an admin reactivates (an owner cannot undo a deactivation an admin made): every
    route and every pending link works again (a repeat is a no-op)."""
    if caller.role != "admin":
        raise PermissionDeniedError("Only an administrator can reactivate a company.")
    company = dal.get_company(conn, company_id, caller.scope(), lock=True)
    dal.set_company_active(conn, company.id, active=True)
    return dal.get_company(conn, company.id, caller.scope())
