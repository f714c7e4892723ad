-- The candidate's consent (issue 15): to being recorded, and, separately, to AI analysis. Both
-- are given with the start of the interview (POST /v1/candidate/interview/start) and never
-- change afterwards; declining AI analysis makes the analysis a human-only review.
ALTER TABLE interviews.invitations ADD COLUMN recording_consent_at timestamptz;
ALTER TABLE interviews.invitations ADD COLUMN ai_consent boolean;
-- When the AI choice (yes or no) was given.
ALTER TABLE interviews.invitations ADD COLUMN ai_consent_at timestamptz;

-- Invitations started before consent existed count as consented to both, as of their start
-- (that is what their candidates were told then: recorded and analysed).
UPDATE interviews.invitations
SET recording_consent_at = started_at, ai_consent = true, ai_consent_at = started_at
WHERE started_at IS NOT NULL;

-- Both choices are given together, and an interview cannot have started without the consent to
-- record it.
ALTER TABLE interviews.invitations ADD CONSTRAINT invitations_consent_given_together CHECK (
    (recording_consent_at IS NULL) = (ai_consent IS NULL)
    AND (ai_consent IS NULL) = (ai_consent_at IS NULL));
ALTER TABLE interviews.invitations ADD CONSTRAINT invitations_started_with_consent CHECK (
    started_at IS NULL OR recording_consent_at IS NOT NULL);

-- The analysis of a candidate who declined AI analysis: no model is called, and HR reviews the
-- recordings and transcripts alone.
ALTER TABLE analysis.analyses DROP CONSTRAINT analyses_status_check;
ALTER TABLE analysis.analyses ADD CONSTRAINT analyses_status_check CHECK (
    status IN ('running', 'completed', 'failed', 'human_review'));
