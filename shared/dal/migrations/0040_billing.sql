-- Billing (issue 18): plans as data, each company's subscription, its usage counters, the Stripe
-- events handled (idempotency on Stripe's event id) and the dunning emails' kinds.
CREATE SCHEMA IF NOT EXISTS billing;

-- A plan's limits; NULL means unlimited. Prices live in Stripe (a price id per plan, in the
-- Stripe secret): this table says what a plan allows, never what it costs.
CREATE TABLE billing.plans (
    id                      text PRIMARY KEY CHECK (id IN ('free', 'plus', 'pro')),
    name                    text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    rank                    integer NOT NULL UNIQUE CHECK (rank BETWEEN 0 AND 100),
    interviews_per_month    integer CHECK (interviews_per_month >= 0),
    active_templates        integer CHECK (active_templates >= 0),
    hr_seats                integer CHECK (hr_seats >= 1),
    storage_bytes           bigint CHECK (storage_bytes >= 0),
    retention_days          integer NOT NULL CHECK (retention_days BETWEEN 1 AND 3650),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

INSERT INTO billing.plans
    (id, name, rank, interviews_per_month, active_templates, hr_seats, storage_bytes,
     retention_days)
VALUES
    ('free', 'Free', 0, 10, 2, 1, 1073741824, 30),              -- 1 GiB
    ('plus', 'Plus', 1, 100, 10, 5, 53687091200, 180),          -- 50 GiB
    ('pro', 'Pro', 2, NULL, NULL, 25, 536870912000, 730);       -- 500 GiB

-- One row per company that ever went through Checkout: its Stripe customer and the state of its
-- subscription as Stripe last said (read from Stripe itself, never from the order of events).
CREATE TABLE billing.subscriptions (
    company_id              uuid PRIMARY KEY,
    stripe_customer_id      text UNIQUE CHECK (char_length(stripe_customer_id) <= 255),
    stripe_subscription_id  text UNIQUE CHECK (char_length(stripe_subscription_id) <= 255),
    plan_id                 text NOT NULL DEFAULT 'free' REFERENCES billing.plans (id),
    -- Stripe's subscription status, or 'none' before the first subscription.
    status                  text NOT NULL DEFAULT 'none' CHECK (status IN (
                                'none', 'incomplete', 'incomplete_expired', 'trialing', 'active',
                                'past_due', 'canceled', 'unpaid', 'paused')),
    current_period_end      timestamptz,
    cancel_at_period_end    boolean NOT NULL DEFAULT false,
    -- Dunning: a failed payment opens a grace period; at its end the company drops to Free.
    grace_until             timestamptz,
    -- When the grace period ran out and the company dropped to Free (cleared once paid again).
    downgraded_at           timestamptz,
    -- The Stripe time (event.created) of the state stored, so an older read never wins.
    stripe_state_at         timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_grace_idx ON billing.subscriptions (grace_until)
    WHERE grace_until IS NOT NULL;

-- Usage counters: a monthly counter has the month as its period ('2026-05'), a gauge ''.
-- The quota check is one conditional UPDATE on its row, in the caller's transaction, so two
-- requests can never both take the last unit.
CREATE TABLE billing.usage (
    company_id  uuid NOT NULL,
    metric      text NOT NULL CHECK (metric IN (
                    'interviews_per_month', 'active_templates', 'hr_seats', 'storage_bytes')),
    period      text NOT NULL CHECK (period = '' OR period ~ '^[0-9]{4}-[0-9]{2}$'),
    used        bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, metric, period)
);

-- Stripe events handled, by Stripe's event id: a redelivery has no second effect.
CREATE TABLE billing.stripe_events (
    event_id     text PRIMARY KEY CHECK (char_length(event_id) BETWEEN 1 AND 255),
    event_type   text NOT NULL CHECK (char_length(event_type) <= 100),
    company_id   uuid,
    created_at   timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- What companies use now, counted once from the other contexts' tables (the counters are kept
-- from here on at each point of use).
INSERT INTO billing.usage (company_id, metric, period, used)
SELECT company_id, 'active_templates', '', count(*)
  FROM interviews.templates WHERE status = 'active' GROUP BY company_id;
INSERT INTO billing.usage (company_id, metric, period, used)
SELECT company_id, 'hr_seats', '', count(*)
  FROM identity.company_members GROUP BY company_id;
INSERT INTO billing.usage (company_id, metric, period, used)
SELECT company_id, 'interviews_per_month', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM'), count(*)
  FROM interviews.invitations
 WHERE created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
 GROUP BY company_id;

-- The dunning emails (from the notifications context).
ALTER TABLE notifications.messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE notifications.messages ADD CONSTRAINT messages_kind_check CHECK (kind IN (
    'invitation', 'invitation_reminder', 'invitation_resent',
    'invitation_cancelled', 'invitation_extended',
    'interview_completed', 'analysis_ready', 'analysis_failed',
    'webhook_disabled',
    'verify_email', 'registration_repeated', 'password_reset', 'password_changed',
    'email_change', 'email_changed',
    'payment_failed', 'plan_downgraded'));
