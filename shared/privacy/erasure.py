"""A candidate's erasure: one invitation at a time, asked for by the candidate (link token or
account) or by the company's retention period (the sweep). The same code for all three.

Two steps, two transactions. The request is recorded and committed first (``requested``); then
one transaction removes everything and marks it ``completed``: every object version and delete
marker of the invitation's media (raw uploads, MP4, WAV, thumbnail, transcript files, through
the media context's own erasure, which also removes transcripts, text answers and the
analysis's quotes), its PDF reports and the CSV exports that may hold its row, its queued
mail, and finally the invitation's own row, pseudonymised. S3 deletions cannot roll back, but
every step is idempotent: a run that failed half way leaves the erasure ``requested``, the
privacy sweep runs it again (backing off), and its status stays readable in the export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from shared.interviews.public import InvitationRef
from shared.observability import logger
from shared.privacy import dal
from shared.privacy.models import ErasureResult, ErasureStatus

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from shared.dal.sql import Conn

Transact = Callable[[], AbstractContextManager["Conn"]]


@dataclass(frozen=True, slots=True)
class ErasureDeps:
    transact: Transact
    s3: Callable[[], S3Client]
    media_bucket: str
    reports_bucket: str


def default_erasure_deps() -> ErasureDeps:
    from shared.dal.aws import s3_client  # noqa: PLC0415 - boto3 on the erasure path only
    from shared.dal.db import transaction  # noqa: PLC0415
    from shared.settings import get_platform_settings  # noqa: PLC0415

    # Empty names: each context's own setting, read (and checked) when an erasure runs.
    return ErasureDeps(
        transact=transaction,
        s3=s3_client,
        media_bucket=get_platform_settings().media_bucket or "",
        reports_bucket="",
    )


def erase(deps: ErasureDeps, refs: Iterable[InvitationRef], via: str) -> ErasureResult:
    """Record an erasure for each invitation, then run each; every invitation's status."""
    refs = list(refs)
    with deps.transact() as conn:
        for ref in refs:
            dal.request_erasure(conn, ref, via)
    for ref in refs:
        run_erasure(deps, ref.id, wait=True)
    with deps.transact() as conn:
        statuses = [dal.erasure(conn, ref.id) for ref in refs]
    return ErasureResult(
        erasures=[ErasureStatus.model_validate(row) for row in statuses if row is not None]
    )


def run_erasure(deps: ErasureDeps, invitation_id: UUID, *, wait: bool = False) -> bool:
    """Finish one requested erasure; whether it is finished now. A failure is recorded on the
    erasure (its class name only: no candidate data in the log) and left for the sweep."""
    try:
        with deps.transact() as conn:
            row = dal.lock_unfinished(conn, invitation_id, wait=wait)
            if row is None:
                return True  # finished already, or another run is finishing it
            removed = erase_invitation(conn, deps, row["company_id"], invitation_id)
            dal.complete_erasure(conn, invitation_id, removed)
    except Exception as exc:
        logger.warning(
            "erasure failed; the sweep retries it",
            extra={"invitation_id": str(invitation_id), "error": type(exc).__name__},
        )
        with deps.transact() as conn:
            dal.record_failed_attempt(conn, invitation_id, type(exc).__name__)
        return False
    logger.info("erasure completed", extra={"invitation_id": str(invitation_id)})
    return True


def erase_invitation(conn: Conn, deps: ErasureDeps, company_id: UUID, invitation_id: UUID) -> int:
    """Everything of the candidate's on this invitation removed or pseudonymised, in the
    caller's transaction; how many object versions went. Idempotent."""
    from shared.interviews.public import (  # noqa: PLC0415 - erasure only
        ERASED_NAME,
        erased_email,
        invitation_contact,
        pseudonymise_invitation,
    )
    from shared.media.public import erase_invitation_media  # noqa: PLC0415
    from shared.notifications.public import erase_invitation_mail  # noqa: PLC0415
    from shared.reports.public import erase_invitation_reports  # noqa: PLC0415

    contact = invitation_contact(conn, invitation_id)
    if contact is None or contact.company_id != company_id:
        return 0  # the invitation is gone (deleted with its company): nothing is left
    pseudonym = erased_email(invitation_id)
    erase_invitation_mail(conn, invitation_id, contact.candidate_email, pseudonym)
    s3 = deps.s3()
    removed = erase_invitation_reports(
        conn,
        company_id,
        invitation_id,
        name=ERASED_NAME,
        email=pseudonym,
        bucket=deps.reports_bucket,
        s3=s3,
    )
    removed += erase_invitation_media(
        conn, company_id, invitation_id, bucket=deps.media_bucket, s3=s3
    )
    pseudonymise_invitation(conn, company_id, invitation_id)
    return removed


def finish_due(deps: ErasureDeps, limit: int) -> tuple[int, int]:
    """The sweep's part: run the erasures that are due; (finished, still failing)."""
    with deps.transact() as conn:
        due = dal.due_erasures(conn, limit)
    finished = sum(1 for invitation_id in due if run_erasure(deps, invitation_id))
    return finished, len(due) - finished
