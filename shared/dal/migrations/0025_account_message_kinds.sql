-- The account emails' kinds (0023 added them to shared/notifications/kinds.py, not to this
-- check): every user.verification_requested, password reset and email change event failed in
-- the notifications consumer with a check violation and went to its DLQ.
ALTER TABLE notifications.messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE notifications.messages ADD CONSTRAINT messages_kind_check CHECK (kind IN (
    'invitation', 'invitation_reminder', 'invitation_resent', 'invitation_cancelled',
    'invitation_extended', 'interview_completed', 'analysis_ready', 'analysis_failed',
    'webhook_disabled', 'verify_email', 'registration_repeated', 'password_reset',
    'password_changed', 'email_change', 'email_changed'));
