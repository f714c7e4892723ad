-- The event kernel: the transactional outbox, consumer dedupe, and the audit log.
CREATE SCHEMA IF NOT EXISTS platform;

-- Producers insert here in the transaction that changes their rows; a relay publishes.
CREATE TABLE platform.outbox (
    event_id     uuid PRIMARY KEY,
    event_type   text NOT NULL CHECK (length(event_type) BETWEEN 3 AND 100),
    tenant_id    uuid,
    envelope     jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error   text CHECK (length(last_error) <= 2000)
);
-- The sweep reads unpublished rows oldest first; published rows never need this index.
CREATE INDEX outbox_unpublished_idx ON platform.outbox (created_at, event_id)
    WHERE published_at IS NULL;

-- One row per (event, consumer) that had its effect: a redelivery finds it and does nothing.
CREATE TABLE platform.processed_events (
    event_id     uuid NOT NULL,
    consumer     text NOT NULL CHECK (length(consumer) BETWEEN 1 AND 100),
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, consumer)
);
CREATE INDEX processed_events_processed_at_idx ON platform.processed_events (processed_at);

-- Who did what, when: every identity and company event (admin and HR decisions included).
CREATE TABLE platform.audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    event_type  text NOT NULL,
    tenant_id   uuid,
    actor_id    uuid,
    occurred_at timestamptz NOT NULL,
    envelope    jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_idx ON platform.audit_log (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON platform.audit_log (actor_id, occurred_at DESC, id DESC)
    WHERE actor_id IS NOT NULL;
