-- SES feedback (issue 14): what became of a message after SES took it. SES publishes Delivery,
-- Bounce, Complaint and Reject events of our configuration set to an SNS topic; the feedback
-- consumer finds the message by SES's message id and records them here.

-- delivered: the receiving server accepted it; bounced: a permanent bounce (the address is
-- suppressed); complained: the recipient marked it as spam (suppressed too).
ALTER TABLE notifications.messages DROP CONSTRAINT messages_status_check;
ALTER TABLE notifications.messages ADD CONSTRAINT messages_status_check CHECK (status IN (
    'queued', 'sending', 'sent', 'failed', 'suppressed', 'delivered', 'bounced', 'complained'));
ALTER TABLE notifications.messages ADD COLUMN delivered_at timestamptz;
-- The last feedback that did not change the status too (a transient bounce, say), and when.
ALTER TABLE notifications.messages ADD COLUMN feedback text CHECK (char_length(feedback) <= 500);
ALTER TABLE notifications.messages ADD COLUMN feedback_at timestamptz;
-- Feedback names the message by SES's id.
CREATE INDEX messages_ses_message_idx ON notifications.messages (ses_message_id)
    WHERE ses_message_id IS NOT NULL;
