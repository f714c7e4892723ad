-- The object version an answer was submitted with: HR plays it and the media pipeline processes
-- it, and no other version (the presigned POST stays valid after submit, and the bucket is
-- versioned, so the same form could write a second version under the same key).
ALTER TABLE interviews.answers
    ADD COLUMN media_version_id text CHECK (char_length(media_version_id) <= 1024);
