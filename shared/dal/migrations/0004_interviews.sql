-- Interviews: templates and their questions, invitations, upload intents, answers, HR review.
-- Every row carries company_id (the tenant); every list query has a keyset index.
CREATE SCHEMA IF NOT EXISTS interviews;

CREATE TABLE interviews.templates (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id      uuid NOT NULL REFERENCES identity.companies (id),
    created_by      uuid NOT NULL REFERENCES identity.users (id),
    title           text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description     text CHECK (char_length(description) <= 1000),
    -- language, total_time_limit_s, show_timer, randomize_questions, retakes_allowed,
    -- think_time_default_s (validated by the API model).
    settings        jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Analysis weights per criterion: relevance, completeness, clarity, depth (sum 1).
    scoring_weights jsonb NOT NULL
        DEFAULT '{"relevance": 0.25, "completeness": 0.25, "clarity": 0.25, "depth": 0.25}'::jsonb,
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    -- Optimistic concurrency: every change bumps it; an update naming an older one is a 409.
    version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    published_at    timestamptz,
    archived_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX templates_company_idx ON interviews.templates (company_id, created_at DESC, id DESC);
CREATE INDEX templates_company_status_idx
    ON interviews.templates (company_id, status, created_at DESC, id DESC);

CREATE TABLE interviews.questions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    template_id  uuid NOT NULL REFERENCES interviews.templates (id) ON DELETE CASCADE,
    company_id   uuid NOT NULL REFERENCES identity.companies (id),
    -- 1..n, compact; deferrable so a reorder can swap positions inside one transaction.
    position     integer NOT NULL CHECK (position >= 1),
    type         text NOT NULL CHECK (type IN ('video', 'audio', 'text', 'multiple_choice')),
    text         text NOT NULL CHECK (char_length(text) BETWEEN 10 AND 500),
    time_limit_s integer NOT NULL CHECK (time_limit_s BETWEEN 30 AND 600),
    think_time_s integer NOT NULL DEFAULT 0 CHECK (think_time_s BETWEEN 0 AND 600),
    max_retakes  integer NOT NULL DEFAULT 0 CHECK (max_retakes BETWEEN 0 AND 10),
    required     boolean NOT NULL DEFAULT true,
    hints        jsonb NOT NULL DEFAULT '[]'::jsonb,
    rubric       text CHECK (char_length(rubric) <= 2000),
    -- multiple_choice only: [{"id": uuid, "text": str, "correct": bool}], 2-10, >= 1 correct.
    options      jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT questions_position_unique UNIQUE (template_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

CREATE TABLE interviews.invitations (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id        uuid NOT NULL REFERENCES identity.companies (id),
    template_id       uuid NOT NULL REFERENCES interviews.templates (id),
    created_by        uuid NOT NULL REFERENCES identity.users (id),
    candidate_email   citext NOT NULL CHECK (char_length(candidate_email) BETWEEN 3 AND 254),
    candidate_name    text NOT NULL CHECK (char_length(candidate_name) BETWEEN 1 AND 200),
    status            text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'in_progress', 'completed', 'expired', 'cancelled')),
    -- SHA-256 of the link token (>= 128 random bits); the token itself is never stored.
    token_hash        bytea NOT NULL UNIQUE,
    expires_at        timestamptz NOT NULL,
    started_at        timestamptz,
    last_activity_at  timestamptz,
    completed_at      timestamptz,
    completion_reason text CHECK (completion_reason IN ('manual', 'early_finish', 'auto_timeout')),
    cancelled_at      timestamptz,
    expired_at        timestamptz,
    last_sent_at      timestamptz NOT NULL DEFAULT now(),
    send_count        integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invitations_candidate_template_unique UNIQUE (template_id, candidate_email)
);
-- HR's list: newest first, optionally by status and/or template.
CREATE INDEX invitations_company_idx
    ON interviews.invitations (company_id, created_at DESC, id DESC);
CREATE INDEX invitations_company_status_idx
    ON interviews.invitations (company_id, status, created_at DESC, id DESC);
CREATE INDEX invitations_company_template_idx
    ON interviews.invitations (company_id, template_id, created_at DESC, id DESC);
CREATE INDEX invitations_company_template_status_idx
    ON interviews.invitations (company_id, template_id, status, created_at DESC, id DESC);
-- The sweep: idle interviews and overdue invitations.
CREATE INDEX invitations_idle_idx ON interviews.invitations (last_activity_at)
    WHERE status = 'in_progress';
CREATE INDEX invitations_overdue_idx ON interviews.invitations (expires_at)
    WHERE status IN ('pending', 'in_progress');

-- An upload the candidate asked for: the one S3 key it may write, its type and size cap.
-- Key layout: raw/{company_id}/{invitation_id}/{question_id}/{upload_id}.{ext}
CREATE TABLE interviews.uploads (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id          uuid NOT NULL REFERENCES identity.companies (id),
    invitation_id       uuid NOT NULL REFERENCES interviews.invitations (id) ON DELETE CASCADE,
    question_id         uuid NOT NULL REFERENCES interviews.questions (id),
    object_key          text NOT NULL UNIQUE CHECK (char_length(object_key) <= 512),
    content_type        text NOT NULL CHECK (char_length(content_type) <= 100),
    media_kind          text NOT NULL CHECK (media_kind IN ('video', 'audio')),
    max_bytes           bigint NOT NULL CHECK (max_bytes > 0),
    multipart_upload_id text CHECK (char_length(multipart_upload_id) <= 1024),
    created_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL
);
CREATE INDEX uploads_invitation_idx ON interviews.uploads (invitation_id, question_id);

-- One row per attempt; a retake adds the next attempt and makes it the current one.
CREATE TABLE interviews.answers (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id          uuid NOT NULL REFERENCES identity.companies (id),
    invitation_id       uuid NOT NULL REFERENCES interviews.invitations (id) ON DELETE CASCADE,
    question_id         uuid NOT NULL REFERENCES interviews.questions (id),
    attempt             integer NOT NULL CHECK (attempt >= 1),
    is_current          boolean NOT NULL DEFAULT true,
    kind                text NOT NULL CHECK (kind IN ('media', 'text', 'choice')),
    upload_id           uuid REFERENCES interviews.uploads (id),
    media_key           text CHECK (char_length(media_key) <= 512),
    media_bytes         bigint CHECK (media_bytes >= 0),
    media_content_type  text CHECK (char_length(media_content_type) <= 100),
    text_answer         text CHECK (char_length(text_answer) <= 10000),
    selected_option_ids jsonb,
    submitted_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT answers_attempt_unique UNIQUE (invitation_id, question_id, attempt)
);
CREATE UNIQUE INDEX answers_current_idx ON interviews.answers (invitation_id, question_id)
    WHERE is_current;
CREATE UNIQUE INDEX answers_upload_idx ON interviews.answers (upload_id) WHERE upload_id IS NOT NULL;

-- HR's rating and comment per answer, one per reviewer.
CREATE TABLE interviews.answer_reviews (
    answer_id   uuid NOT NULL REFERENCES interviews.answers (id) ON DELETE CASCADE,
    reviewer_id uuid NOT NULL REFERENCES identity.users (id),
    company_id  uuid NOT NULL REFERENCES identity.companies (id),
    rating      smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     text CHECK (char_length(comment) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (answer_id, reviewer_id)
);

-- The human decision, beside (never over) the AI's result.
CREATE TABLE interviews.decisions (
    invitation_id uuid PRIMARY KEY REFERENCES interviews.invitations (id) ON DELETE CASCADE,
    company_id    uuid NOT NULL REFERENCES identity.companies (id),
    decision      text NOT NULL CHECK (decision IN ('advance', 'reject')),
    note          text CHECK (char_length(note) <= 2000),
    decided_by    uuid NOT NULL REFERENCES identity.users (id),
    decided_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (decision = 'advance' OR (note IS NOT NULL AND char_length(note) >= 1))
);
