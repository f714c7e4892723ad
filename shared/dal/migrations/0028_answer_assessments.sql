-- Incremental analysis (issue 16): every answer is assessed as soon as it is final (its
-- transcript is stored, or its text or choice is submitted), before the interview completes.
-- One row per answer version (an answer id: a retake is a new answer), assessed exactly once:
-- whoever moves it to 'analysing' (the answer workflow, or the interview's workflow at
-- completion) makes the model call; the other waits for its result.
CREATE TABLE analysis.answer_assessments (
    answer_id         uuid PRIMARY KEY,
    company_id        uuid NOT NULL,
    invitation_id     uuid NOT NULL REFERENCES analysis.triggers (invitation_id),
    question_id       uuid NOT NULL,
    attempt           integer NOT NULL CHECK (attempt >= 1),
    kind              text NOT NULL CHECK (kind IN ('media', 'text', 'choice')),
    upload_id         uuid,
    -- {"question": CompletedQuestion, "answer": CompletedAnswer, "language": str | null}, as
    -- response.submitted carried them (invitation.completed carries the same).
    subject           jsonb NOT NULL,
    -- waiting: a media answer whose transcript is not stored yet; queued: final, its workflow
    -- started; analysing: claimed until claimed_until; scored: the outcome is here;
    -- superseded: a retake replaced the answer (its cost stays recorded here).
    status            text NOT NULL
                      CHECK (status IN ('waiting', 'queued', 'analysing', 'scored', 'superseded')),
    engine            text CHECK (engine IN ('groq', 'offline')),
    model             text CHECK (char_length(model) BETWEEN 1 AND 200),
    prompt_version    text CHECK (char_length(prompt_version) BETWEEN 1 AND 32),
    -- AnswerOutcome as JSON (criteria, flags, unscorable, usage) and its score.
    outcome           jsonb,
    score             numeric(5, 2) CHECK (score BETWEEN 0 AND 100),
    prompt_tokens     integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    llm_calls         integer NOT NULL DEFAULT 0 CHECK (llm_calls >= 0),
    claimed_until     timestamptz,
    queued_at         timestamptz,
    analysing_at      timestamptz,
    scored_at         timestamptz,
    superseded_at     timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX answer_assessments_invitation_idx
    ON analysis.answer_assessments (invitation_id, question_id, attempt);
CREATE INDEX answer_assessments_upload_idx
    ON analysis.answer_assessments (upload_id) WHERE upload_id IS NOT NULL;

-- media.transcribed (the transcript is stored, the MP4 may still be encoding) is an outcome
-- the analysis can start on.
ALTER TABLE analysis.media_outcomes DROP CONSTRAINT media_outcomes_status_check;
ALTER TABLE analysis.media_outcomes
    ADD CONSTRAINT media_outcomes_status_check
    CHECK (status IN ('transcribed', 'ready', 'failed'));

-- Groq's request and token budgets, shared by every interview (issue 16): each model call
-- takes one request and its estimated tokens from its model's current minute; a call that does
-- not fit waits for the next minute instead of being sent into a 429.
CREATE TABLE analysis.llm_budget (
    model        text NOT NULL CHECK (char_length(model) BETWEEN 1 AND 200),
    window_start timestamptz NOT NULL,
    requests     integer NOT NULL CHECK (requests >= 0),
    tokens       integer NOT NULL CHECK (tokens >= 0),
    PRIMARY KEY (model, window_start)
);
