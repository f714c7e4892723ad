-- Identity and access: users, refresh tokens, login attempts, companies (the tenant), members,
-- idempotency keys. Every tenant-owned row carries company_id.
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE identity.users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         citext NOT NULL UNIQUE CHECK (char_length(email) BETWEEN 3 AND 254),
    password_hash text NOT NULL CHECK (char_length(password_hash) <= 512),
    role          text NOT NULL DEFAULT 'pending'
                  CHECK (role IN ('pending', 'hr', 'candidate', 'admin')),
    status        text NOT NULL DEFAULT 'active'
                  CHECK (status IN ('active', 'suspended', 'deleted')),
    first_name    text CHECK (char_length(first_name) <= 100),
    last_name     text CHECK (char_length(last_name) <= 100),
    phone         text CHECK (char_length(phone) <= 32),
    bio           text CHECK (char_length(bio) <= 2000),
    timezone      text CHECK (char_length(timezone) <= 64),
    language      text CHECK (char_length(language) <= 16),
    avatar_key    text CHECK (char_length(avatar_key) <= 512),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz
);
-- Admin list: keyset on (created_at, id), newest first, with optional role/status filters.
CREATE INDEX users_created_idx ON identity.users (created_at DESC, id DESC);
CREATE INDEX users_role_created_idx ON identity.users (role, created_at DESC, id DESC);
CREATE INDEX users_status_created_idx ON identity.users (status, created_at DESC, id DESC);

CREATE TABLE identity.refresh_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    parent_id   uuid REFERENCES identity.refresh_tokens (id) ON DELETE SET NULL,
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON identity.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON identity.refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- Failed logins per account (normalised email, even when no such user exists) and per source.
CREATE TABLE identity.login_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email        citext NOT NULL,
    source       text NOT NULL CHECK (char_length(source) <= 64),
    succeeded    boolean NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON identity.login_attempts (email, attempted_at DESC)
    WHERE NOT succeeded;
CREATE INDEX login_attempts_source_idx ON identity.login_attempts (source, attempted_at DESC)
    WHERE NOT succeeded;

CREATE TABLE identity.companies (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    website     text CHECK (char_length(website) <= 255),
    industry    text CHECK (char_length(industry) <= 100),
    size_band   text CHECK (size_band IN ('1-10', '11-50', '51-200', '201-1000', '1000+')),
    owner_id    uuid NOT NULL REFERENCES identity.users (id),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX companies_owner_idx ON identity.companies (owner_id);

-- An HR user belongs to one company: user_id is unique.
CREATE TABLE identity.company_members (
    company_id  uuid NOT NULL REFERENCES identity.companies (id),
    user_id     uuid NOT NULL UNIQUE REFERENCES identity.users (id),
    member_role text NOT NULL CHECK (member_role IN ('owner', 'member')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, user_id)
);
CREATE INDEX company_members_list_idx ON identity.company_members (company_id, created_at, user_id);

-- Creating POSTs: the key, a hash of the request and the stored response, per caller.
CREATE TABLE identity.idempotency_keys (
    scope         text NOT NULL CHECK (char_length(scope) <= 64),
    key           text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash  bytea NOT NULL,
    status_code   integer NOT NULL,
    response      jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON identity.idempotency_keys (created_at);
