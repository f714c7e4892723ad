-- The account emails' kinds of message (issue 14): verification, a repeated sign-up, a password
-- reset and its notice, an email change and its notice to the old address.
ALTER TABLE notifications.messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE notifications.messages ADD CONSTRAINT messages_kind_check CHECK (kind IN (
    'invitation', 'invitation_reminder', 'invitation_resent',
    'invitation_cancelled', 'invitation_extended',
    'interview_completed', 'analysis_ready', 'analysis_failed',
    'webhook_disabled',
    'verify_email', 'registration_repeated', 'password_reset', 'password_changed',
    'email_change', 'email_changed'));
