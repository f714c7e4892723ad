-- Webhooks: a company's endpoints, the deliveries each event causes (one per endpoint and
-- event), and every attempt of each.
CREATE TABLE notifications.webhook_endpoints (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id         uuid NOT NULL,
    created_by         uuid NOT NULL,
    url                text NOT NULL CHECK (char_length(url) BETWEEN 8 AND 2000),
    event_types        text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 50),
    -- The signing secret, sealed under the app key (it must be read to sign).
    secret_sealed      bytea NOT NULL CHECK (octet_length(secret_sealed) <= 512),
    -- After a rotation the previous secret signs too, until previous_until.
    previous_sealed    bytea CHECK (octet_length(previous_sealed) <= 512),
    previous_until     timestamptz,
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    disabled_reason    text CHECK (char_length(disabled_reason) <= 300),
    -- The first failure of the current run of failures (NULL after a success).
    failing_since      timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_company_idx ON notifications.webhook_endpoints (company_id, created_at);

CREATE TABLE notifications.webhook_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    endpoint_id     uuid NOT NULL REFERENCES notifications.webhook_endpoints (id) ON DELETE CASCADE,
    company_id      uuid NOT NULL,
    event_id        uuid NOT NULL,
    event_type      text NOT NULL CHECK (char_length(event_type) <= 100),
    body            jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 100),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- A redelivered event finds its delivery; a manual redelivery is a new attempt of it.
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON notifications.webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx
    ON notifications.webhook_deliveries (endpoint_id, created_at DESC);

CREATE TABLE notifications.webhook_attempts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      uuid NOT NULL REFERENCES notifications.webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at     timestamptz NOT NULL DEFAULT now(),
    status_code      integer,
    latency_ms       integer NOT NULL CHECK (latency_ms >= 0),
    response_excerpt text CHECK (char_length(response_excerpt) <= 1000),
    error            text CHECK (char_length(error) <= 300)
);
CREATE INDEX webhook_attempts_delivery_idx ON notifications.webhook_attempts (delivery_id, id);
