"""The column lists HR's and the candidate's data access both select: one per table, as there is
one row model per table (``rows.py``)."""

INVITATION_COLUMNS = """
i.id, i.company_id, i.template_id, i.created_by,
i.candidate_email::text AS candidate_email, i.candidate_name, i.status, i.expires_at,
i.started_at, i.last_activity_at, i.completed_at, i.completion_reason, i.cancelled_at,
i.expired_at, i.last_sent_at, i.send_count, i.created_at, i.updated_at,
i.recording_consent_at, i.ai_consent, i.ai_consent_at, i.consent_text_version,
t.title AS template_title, t.description AS template_description,
t.settings AS template_settings, t.scoring_weights
"""

INVITATION_FROM = "interviews.invitations i JOIN interviews.templates t ON t.id = i.template_id"

QUESTION_COLUMNS = (
    "id, template_id, company_id, position, type, text, time_limit_s, think_time_s,"
    " max_retakes, required, hints, rubric, options, created_at, updated_at"
)

ANSWER_COLUMNS = (
    "id, question_id, attempt, is_current, kind, upload_id, media_key, media_bytes,"
    " media_content_type, media_version_id, text_answer, selected_option_ids, submitted_at"
)
