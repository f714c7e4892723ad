-- Data rights (issue 19, part B): the candidate's erasure, the company's retention period, and
-- the audit log's reads by admins.
CREATE SCHEMA IF NOT EXISTS privacy;

-- A company's retention period: a sweep erases the candidate data of invitations finished
-- (completed, expired or cancelled) longer ago than this. No row: kept until erased on request.
CREATE TABLE privacy.retention_policies (
    company_id     uuid PRIMARY KEY REFERENCES identity.companies (id),
    retention_days integer NOT NULL CHECK (retention_days BETWEEN 30 AND 3650),
    updated_by     uuid REFERENCES identity.users (id),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One erasure per invitation, whoever asked for it. Recorded (committed) before any object is
-- removed, finished in a second transaction: one that failed half way is 'requested' still, and
-- the privacy sweep finishes it (the erasure is idempotent).
CREATE TABLE privacy.erasures (
    invitation_id   uuid PRIMARY KEY REFERENCES interviews.invitations (id) ON DELETE CASCADE,
    company_id      uuid NOT NULL REFERENCES identity.companies (id),
    requested_via   text NOT NULL CHECK (requested_via IN ('link', 'account', 'retention')),
    status          text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'completed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 1000),
    objects_removed integer CHECK (objects_removed >= 0),
    last_error      text CHECK (char_length(last_error) <= 500),
    requested_at    timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX erasures_unfinished_idx ON privacy.erasures (updated_at) WHERE status = 'requested';

-- The invitation row survives an erasure pseudonymised (counts and the funnel stay); this says
-- when its candidate's data went.
ALTER TABLE interviews.invitations ADD COLUMN erased_at timestamptz;
-- The retention sweep: a company's finished invitations not yet erased, oldest finish first.
CREATE INDEX invitations_retention_idx ON interviews.invitations
    (company_id, (coalesce(completed_at, expired_at, cancelled_at)))
    WHERE erased_at IS NULL AND status IN ('completed', 'expired', 'cancelled');
-- A candidate account's invitations (every one sent to its verified email) use 0051's
-- invitations_candidate_email_idx (candidate_email, created_at DESC, id DESC).

-- Admins read the audit log newest first, by action or over every tenant.
CREATE INDEX audit_log_time_idx ON platform.audit_log (occurred_at DESC, id DESC);
CREATE INDEX audit_log_type_idx ON platform.audit_log (event_type, occurred_at DESC, id DESC);

-- The reports' read model keeps an erased invitation's row pseudonymised: a late or redelivered
-- invitation event must not write the candidate's name back.
ALTER TABLE reports.invitation_facts ADD COLUMN erased_at timestamptz;
