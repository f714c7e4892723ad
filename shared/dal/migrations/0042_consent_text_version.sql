-- The version of the consent text the candidate was shown (issue 19), stored with the consent.
-- Null for interviews started before versions were recorded, and for a client that did not say
-- which text it showed (the API's field is optional; our candidate page always sends it).
ALTER TABLE interviews.invitations ADD COLUMN consent_text_version text;

ALTER TABLE interviews.invitations ADD CONSTRAINT invitations_consent_text_version_with_consent
    CHECK (consent_text_version IS NULL OR recording_consent_at IS NOT NULL);
