-- Identity hardening: login attempts recorded before the password is checked (and cleared by
-- the owner's successful sign-in), a per-source sign-up limit, refresh-token families with an
-- absolute lifetime, a deny list of logged-out access tokens, and external OIDC identities
-- linked explicitly to our users.

-- An attempt is inserted as a failure before argon2 runs and turned into a success after it;
-- a successful sign-in clears the account's earlier failures (the soft lock).
ALTER TABLE identity.login_attempts ADD COLUMN cleared_at timestamptz;
CREATE INDEX login_attempts_pair_idx ON identity.login_attempts (email, source, attempted_at DESC)
    WHERE NOT succeeded;
CREATE INDEX login_attempts_known_idx ON identity.login_attempts (email, source, attempted_at DESC)
    WHERE succeeded;

-- Sign-ups per source address (argon2 work is not free).
CREATE TABLE identity.register_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       text NOT NULL CHECK (char_length(source) <= 64),
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX register_attempts_source_idx ON identity.register_attempts (source, attempted_at DESC);

-- A family's absolute lifetime counts from its first token; rotation copies it.
ALTER TABLE identity.refresh_tokens
    ADD COLUMN family_started_at timestamptz NOT NULL DEFAULT now();

-- Access tokens logged out before they expire (jti until exp); rows past exp are dead weight.
CREATE TABLE identity.revoked_access_tokens (
    jti         text PRIMARY KEY CHECK (char_length(jti) BETWEEN 1 AND 128),
    user_id     uuid NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX revoked_access_tokens_expiry_idx ON identity.revoked_access_tokens (expires_at);

-- Another OIDC issuer's (iss, sub) is ours only through this table, never by its sub.
CREATE TABLE identity.external_identities (
    issuer      text NOT NULL CHECK (char_length(issuer) BETWEEN 1 AND 255),
    subject     text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
    user_id     uuid NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_user_idx ON identity.external_identities (user_id);
