-- Candidate accounts (issue 19): a candidate with a verified email lists every invitation sent
-- to that email, across companies, newest first (keyset on created_at, id).
CREATE INDEX invitations_candidate_email_idx
    ON interviews.invitations (candidate_email, created_at DESC, id DESC);
