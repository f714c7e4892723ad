"""Sample payloads of the interviews and media events, for the catalogue's contract tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel

from shared.models.events import interviews as iv
from shared.models.events import media as md

_TEMPLATE = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
_INVITATION = uuid.UUID("00000000-0000-4000-8000-0000000000a2")
_QUESTION = uuid.UUID("00000000-0000-4000-8000-0000000000a3")
_ANSWER = uuid.UUID("00000000-0000-4000-8000-0000000000a4")
_UPLOAD = uuid.UUID("00000000-0000-4000-8000-0000000000a5")
_HR = uuid.UUID("00000000-0000-4000-8000-0000000000a6")
_MEDIA = uuid.UUID("00000000-0000-4000-8000-0000000000a7")
_WHEN = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

INTERVIEWS_SAMPLES: dict[str, BaseModel] = {
    "template.published": iv.TemplatePublished(
        template_id=_TEMPLATE, title="Backend engineer", version=3, question_count=2, actor_id=_HR
    ),
    "template.archived": iv.TemplateArchived(template_id=_TEMPLATE, version=4, actor_id=_HR),
    "invitation.created": iv.InvitationCreated(
        invitation_id=_INVITATION,
        template_id=_TEMPLATE,
        candidate_name="Grace Hopper",
        candidate_email="grace@example.com",
        expires_at=_WHEN,
        actor_id=_HR,
    ),
    **{
        changed: iv.InvitationChanged(
            invitation_id=_INVITATION, template_id=_TEMPLATE, expires_at=_WHEN, actor_id=_HR
        )
        for changed in ("invitation.resent", "invitation.extended", "invitation.cancelled")
    },
    "invitation.started": iv.InvitationStarted(
        invitation_id=_INVITATION, template_id=_TEMPLATE, started_at=_WHEN
    ),
    "response.submitted": iv.ResponseSubmitted(
        invitation_id=_INVITATION,
        question_id=_QUESTION,
        answer_id=_ANSWER,
        attempt=1,
        kind="media",
        upload_id=_UPLOAD,
    ),
    "invitation.completed": iv.InvitationCompleted(
        invitation_id=_INVITATION,
        template_id=_TEMPLATE,
        reason="manual",
        completed_at=_WHEN,
        questions=[
            iv.CompletedQuestion(
                question_id=_QUESTION,
                position=1,
                type="video",
                text="Tell us about a system you designed.",
                rubric="Names trade-offs.",
                time_limit_s=120,
                required=True,
            )
        ],
        answers=[
            iv.CompletedAnswer(
                answer_id=_ANSWER,
                question_id=_QUESTION,
                attempt=1,
                kind="media",
                upload_id=_UPLOAD,
                media_key=f"raw/{_HR}/{_INVITATION}/{_QUESTION}/{_UPLOAD}.webm",
            )
        ],
    ),
    "invitation.expired": iv.InvitationExpired(
        invitation_id=_INVITATION, template_id=_TEMPLATE, previous_status="pending"
    ),
    "candidate.decided": iv.CandidateDecided(
        invitation_id=_INVITATION, decision="reject", note="Not enough depth.", actor_id=_HR
    ),
}

MEDIA_SAMPLES: dict[str, BaseModel] = {
    "media.transcribed": md.MediaTranscribed(
        media_id=_MEDIA,
        upload_id=_UPLOAD,
        invitation_id=_INVITATION,
        question_id=_QUESTION,
        duration_s=12.5,
        transcript_engine="groq",
        transcript_language="en",
        transcribed_at=_WHEN,
    ),
    "media.processed": md.MediaProcessed(
        media_id=_MEDIA,
        upload_id=_UPLOAD,
        invitation_id=_INVITATION,
        question_id=_QUESTION,
        duration_s=12.5,
        mp4_key=f"media/{_HR}/{_INVITATION}/{_UPLOAD}/answer.mp4",
        transcript_engine="offline",
        transcript_language="en",
    ),
    "media.failed": md.MediaFailed(
        media_id=_MEDIA,
        upload_id=_UPLOAD,
        invitation_id=_INVITATION,
        question_id=_QUESTION,
        failed_step="transcoding",
        reason="The video could not be converted for playback.",
        transcript_kept=True,
    ),
}
