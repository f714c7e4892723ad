-- Account emails (issue 14): a sign-up is unverified until its emailed link is followed; a
-- password reset and an email change go through emailed single-use links too.

-- When the address was proven (NULL: never). Accounts from before verification existed keep
-- working: their address counts as proven since they were created.
ALTER TABLE identity.users ADD COLUMN email_verified_at timestamptz;
UPDATE identity.users SET email_verified_at = created_at;
-- Access tokens issued before this instant are refused (a password reset ends every session,
-- the 15-minute access tokens included).
ALTER TABLE identity.users ADD COLUMN sessions_valid_after timestamptz;

-- The emailed links. The token in a link is derived from the row's id with the app key
-- (shared/identity/links.py), so the row holds no secret; a link is used once at most.
CREATE TABLE identity.account_links (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset', 'email_change')),
    -- The address an email change goes to (and only then).
    new_email   citext CHECK (char_length(new_email) BETWEEN 3 AND 254),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CHECK ((purpose = 'email_change') = (new_email IS NOT NULL))
);
CREATE INDEX account_links_user_idx ON identity.account_links (user_id, purpose, created_at DESC);

-- Requests per source and per account for each kind of emailed link (register's limit
-- table, with the action it counts).
ALTER TABLE identity.register_attempts
    ADD COLUMN action text NOT NULL DEFAULT 'register'
    CHECK (action IN ('register', 'password_reset', 'email_change'));
DROP INDEX identity.register_attempts_source_idx;
CREATE INDEX register_attempts_source_idx
    ON identity.register_attempts (action, source, attempted_at DESC);
