-- Billing (issue 18): the storage each upload holds, so erasing an invitation's media gives its
-- bytes back exactly once (the ledger's rows go with the release; a second erasure finds none).
CREATE TABLE billing.storage_holds (
    upload_id      uuid PRIMARY KEY,
    company_id     uuid NOT NULL,
    invitation_id  uuid NOT NULL,
    bytes          bigint NOT NULL CHECK (bytes >= 0),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX storage_holds_invitation_idx ON billing.storage_holds (company_id, invitation_id);

-- What answers already hold (their stored size), counted once; uploads from here on are held at
-- their declared size when the URL is handed out.
INSERT INTO billing.storage_holds (upload_id, company_id, invitation_id, bytes)
SELECT DISTINCT ON (upload_id) upload_id, company_id, invitation_id, COALESCE(media_bytes, 0)
  FROM interviews.answers
 WHERE upload_id IS NOT NULL
 ORDER BY upload_id, media_bytes DESC NULLS LAST;
INSERT INTO billing.usage (company_id, metric, period, used)
SELECT company_id, 'storage_bytes', '', sum(bytes)
  FROM billing.storage_holds GROUP BY company_id
    ON CONFLICT (company_id, metric, period) DO UPDATE SET used = EXCLUDED.used;
