-- The required skills an answer evidences (issue 19): [{skillId, name, quote}] per answer
-- result, each quote checked to occur verbatim in the transcript (an erasure sets the quotes
-- to null and keeps which skills were evidenced).
ALTER TABLE analysis.answer_results
    ADD COLUMN skills_evidenced jsonb NOT NULL DEFAULT '[]'::jsonb
    CHECK (jsonb_typeof(skills_evidenced) = 'array');
