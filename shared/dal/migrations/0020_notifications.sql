-- Notifications: the email each event causes (one row per event, recipient and kind), what the
-- recipients chose to receive, the addresses mail must not go to, and the invitation link kept
-- sealed so reminders can carry it.

-- The candidate's link token, sealed (AES-256-GCM under the platform's app key, the invitation id
-- as associated data): only the functions that read that key can open it. The hash stays the
-- lookup; invitations created before this column have no sealed link (their emails carry none).
ALTER TABLE interviews.invitations ADD COLUMN token_sealed bytea
    CHECK (octet_length(token_sealed) <= 256);

CREATE SCHEMA IF NOT EXISTS notifications;

CREATE TABLE notifications.messages (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id       uuid,
    -- What makes the message unique: the event (or the reminder's invitation and expiry), the
    -- recipient and the kind. A redelivered event finds its row and queues nothing.
    dedupe_key       text NOT NULL UNIQUE CHECK (char_length(dedupe_key) <= 300),
    kind             text NOT NULL CHECK (kind IN (
                        'invitation', 'invitation_reminder', 'invitation_resent',
                        'invitation_cancelled', 'invitation_extended',
                        'interview_completed', 'analysis_ready', 'analysis_failed',
                        'webhook_disabled')),
    template_version integer NOT NULL CHECK (template_version BETWEEN 1 AND 1000),
    recipient        citext NOT NULL CHECK (char_length(recipient) BETWEEN 3 AND 254),
    invitation_id    uuid,
    event_id         uuid,
    -- What the template needs besides the link (names, titles, scores): nothing secret.
    params           jsonb NOT NULL DEFAULT '{}'::jsonb,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'suppressed')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 100),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    ses_message_id   text CHECK (char_length(ses_message_id) <= 200),
    error            text CHECK (char_length(error) <= 500),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX messages_due_idx ON notifications.messages (next_attempt_at)
    WHERE status IN ('queued', 'sending');
CREATE INDEX messages_company_idx ON notifications.messages (company_id, created_at DESC, id DESC);
CREATE INDEX messages_invitation_idx ON notifications.messages (invitation_id, created_at DESC);

-- Per address and kind; no row means the kind's default (everything on).
CREATE TABLE notifications.preferences (
    email      citext NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    kind       text NOT NULL CHECK (char_length(kind) <= 40),
    enabled    boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (email, kind)
);

-- Addresses no mail goes to (hard bounces, complaints, or an operator's decision).
CREATE TABLE notifications.suppressions (
    email      citext PRIMARY KEY CHECK (char_length(email) BETWEEN 3 AND 254),
    reason     text NOT NULL CHECK (reason IN ('bounce', 'complaint', 'manual')),
    detail     text CHECK (char_length(detail) <= 500),
    created_at timestamptz NOT NULL DEFAULT now()
);
