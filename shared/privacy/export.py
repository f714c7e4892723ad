"""A candidate's export: what the platform keeps of their invitations, as JSON, with media
links (presigned GETs, short-lived, one key each).

What is theirs: each invitation's company, template title, status and dates; their name and
address as the company entered them; their consent (what, when); every attempt of every answer
(text, chosen options, transcript) with links to their recording and its processed playback
and thumbnail; the AI analysis exactly as HR sees it (scores, reasons, quotes: it is about
them); HR's decision and its date. Not theirs: HR's ratings, comments and decision notes (the
company's own working notes), and other candidates' anything. An erased invitation exports its
pseudonymised row and the erasure's status, and no links (nothing is left to link to).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from shared.dal.sql import Conn
from shared.interviews.public import InvitationRef
from shared.privacy import dal
from shared.privacy.models import (
    DataExport,
    ErasureStatus,
    ExportAnswer,
    ExportConsent,
    ExportDecision,
    ExportInvitation,
    ExportTranscript,
    MediaLink,
)


def export(conn: Conn, refs: list[InvitationRef], ttl_s: int) -> DataExport:
    invitations = [item for ref in refs if (item := _invitation(conn, ref.id, ttl_s))]
    return DataExport(
        exported_at=datetime.now(UTC), media_links_expire_in_s=ttl_s, invitations=invitations
    )


def _invitation(conn: Conn, invitation_id: UUID, ttl_s: int) -> ExportInvitation | None:
    from shared.analysis.public import analysis_for_invitation  # noqa: PLC0415 - export only
    from shared.media.public import media_for_uploads  # noqa: PLC0415

    row = dal.export_invitation(conn, invitation_id)
    if row is None:
        return None
    company_id: UUID = row["company_id"]
    erased = row["erased_at"] is not None
    answers = dal.export_answers(conn, invitation_id)
    uploads = [a["upload_id"] for a in answers if a["upload_id"] is not None]
    media = {} if erased else media_for_uploads(conn, company_id, uploads, ttl_s=ttl_s)
    analysis = analysis_for_invitation(conn, company_id, invitation_id)
    decision = dal.export_decision(conn, invitation_id)
    erasure = dal.erasure(conn, invitation_id)
    return ExportInvitation(
        invitation_id=row["id"],
        company=row["company"],
        template_title=row["template_title"],
        status=row["status"],
        candidate_name=row["candidate_name"],
        candidate_email=row["candidate_email"],
        invited_at=row["invited_at"],
        expires_at=row["expires_at"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        expired_at=row["expired_at"],
        cancelled_at=row["cancelled_at"],
        erased_at=row["erased_at"],
        consent=ExportConsent(
            recording_consented_at=row["recording_consent_at"],
            ai_analysis=row["ai_consent"],
            ai_choice_at=row["ai_consent_at"],
            text_version=row["consent_text_version"],
        ),
        answers=[_answer(a, media, ttl_s, erased) for a in answers],
        analysis=analysis.model_dump(mode="json") if analysis is not None else None,
        decision=ExportDecision.model_validate(decision) if decision else None,
        erasure=ErasureStatus.model_validate(erasure) if erasure else None,
    )


def _answer(row: dict[str, Any], media: dict[UUID, Any], ttl_s: int, erased: bool) -> ExportAnswer:
    from shared.media.public import presign_media_get  # noqa: PLC0415 - export only

    options = {str(o.get("id")): str(o.get("text", "")) for o in row["options"] or []}
    selected = [options.get(str(i), str(i)) for i in row["selected_option_ids"] or []]
    links: list[MediaLink] = []
    transcript = None
    if row["kind"] == "media" and not erased:
        if row["media_key"]:
            url = presign_media_get(row["media_key"], ttl_s, version_id=row["media_version_id"])
            links.append(MediaLink(kind="recording", url=url, expires_in_s=ttl_s))
        view = media.get(row["upload_id"]) if row["upload_id"] is not None else None
        if view is not None:
            if view.playback_url:
                links.append(MediaLink(kind="playback", url=view.playback_url, expires_in_s=ttl_s))
            if view.thumbnail_url:
                links.append(
                    MediaLink(kind="thumbnail", url=view.thumbnail_url, expires_in_s=ttl_s)
                )
            if view.transcript is not None:
                transcript = ExportTranscript(
                    text=view.transcript.text, language=view.transcript.language
                )
    return ExportAnswer(
        question_id=row["question_id"],
        question_position=row["position"],
        question_text=row["question_text"],
        kind=row["kind"],
        attempt=row["attempt"],
        is_current=row["is_current"],
        submitted_at=row["submitted_at"],
        text=row["text_answer"],
        selected_options=selected,
        transcript=transcript,
        media=links,
    )
