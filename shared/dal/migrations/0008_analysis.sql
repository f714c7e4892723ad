-- Analysis: when to start (per invitation), the analyses and their per-answer results.
-- The analysis never reads the interviews schema: invitation.completed carries what it needs.
CREATE SCHEMA IF NOT EXISTS analysis;

-- One row per invitation the analysis has heard of (from either side: the invitation or its
-- media). Every trigger event locks this row (SELECT ... FOR UPDATE), so concurrent, duplicate
-- and out-of-order events are serialised and the start happens exactly once.
CREATE TABLE analysis.triggers (
    invitation_id uuid PRIMARY KEY,
    company_id    uuid NOT NULL,
    -- The invitation.completed payload, once it arrived (questions, answers, weights).
    completed     jsonb,
    completed_at  timestamptz,
    -- Set once, in the transaction that creates the analysis and enqueues analysis.started.
    started_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- What the media pipeline said about each upload (media.processed / media.failed), whether or
-- not the invitation has completed yet.
CREATE TABLE analysis.media_outcomes (
    upload_id     uuid PRIMARY KEY,
    invitation_id uuid NOT NULL REFERENCES analysis.triggers (invitation_id),
    company_id    uuid NOT NULL,
    status        text NOT NULL CHECK (status IN ('ready', 'failed')),
    reason        text CHECK (char_length(reason) <= 1000),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_outcomes_invitation_idx ON analysis.media_outcomes (invitation_id);

CREATE TABLE analysis.analyses (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id      uuid NOT NULL,
    -- Exactly one analysis per invitation; HR's retry runs it again as a new attempt.
    invitation_id   uuid NOT NULL UNIQUE REFERENCES analysis.triggers (invitation_id),
    attempt         integer NOT NULL DEFAULT 1 CHECK (attempt BETWEEN 1 AND 100),
    status          text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    reason          text CHECK (char_length(reason) <= 2000),
    -- Chosen once per attempt by the workflow's load step (Groq when a key is configured).
    engine          text CHECK (engine IN ('groq', 'offline')),
    model           text CHECK (char_length(model) BETWEEN 1 AND 200),
    prompt_version  text CHECK (char_length(prompt_version) BETWEEN 1 AND 32),
    prompt_tokens     integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    llm_calls       integer NOT NULL DEFAULT 0 CHECK (llm_calls >= 0),
    latency_ms      integer CHECK (latency_ms >= 0),
    cost_usd        numeric(12, 6) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    summary         text CHECK (char_length(summary) <= 8000),
    strengths       jsonb NOT NULL DEFAULT '[]'::jsonb,
    weaknesses      jsonb NOT NULL DEFAULT '[]'::jsonb,
    red_flags       jsonb NOT NULL DEFAULT '[]'::jsonb,
    llm_verdict     text CHECK (llm_verdict IN ('hire', 'consider', 'reject')),
    recommendation  text CHECK (recommendation IN ('hire', 'consider', 'reject')),
    overall         numeric(5, 2) CHECK (overall BETWEEN 0 AND 100),
    weights         jsonb NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analyses_company_idx ON analysis.analyses (company_id, created_at DESC, id DESC);
-- "none left running": operators look for stuck runs.
CREATE INDEX analyses_running_idx ON analysis.analyses (started_at) WHERE status = 'running';

-- One row per (analysis, attempt, answer). Written by the per-answer step (idempotent upsert).
CREATE TABLE analysis.answer_results (
    analysis_id       uuid NOT NULL REFERENCES analysis.analyses (id) ON DELETE CASCADE,
    attempt           integer NOT NULL CHECK (attempt >= 1),
    answer_id         uuid NOT NULL,
    question_id       uuid NOT NULL,
    position          integer NOT NULL CHECK (position >= 1),
    kind              text NOT NULL CHECK (kind IN ('media', 'text', 'choice')),
    -- {"relevance": {"score": 0-100, "justification": str, "quotes": [{text, start, end}]}, ...}
    criteria          jsonb,
    score             numeric(5, 2) CHECK (score BETWEEN 0 AND 100),
    unscorable        boolean NOT NULL DEFAULT false,
    unscorable_reason text CHECK (char_length(unscorable_reason) <= 1000),
    flagged           boolean NOT NULL DEFAULT false,
    flag_reason       text CHECK (char_length(flag_reason) <= 1000),
    prompt_tokens     integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    llm_calls         integer NOT NULL DEFAULT 0 CHECK (llm_calls >= 0),
    latency_ms        integer NOT NULL DEFAULT 0 CHECK (latency_ms >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (analysis_id, attempt, answer_id)
);
