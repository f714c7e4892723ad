-- Media: one row per raw object version the pipeline saw, its progress and outputs; transcripts.
CREATE SCHEMA IF NOT EXISTS media;

CREATE TABLE media.assets (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- One processing per object version: a duplicate or late S3 event finds this row.
    bucket           text NOT NULL CHECK (char_length(bucket) BETWEEN 3 AND 63),
    object_key       text NOT NULL CHECK (char_length(object_key) <= 1024),
    version_id       text NOT NULL DEFAULT '' CHECK (char_length(version_id) <= 1024),
    -- Null when the object matches no upload (then status is failed with the reason).
    upload_id        uuid,
    company_id       uuid,
    invitation_id    uuid,
    question_id      uuid,
    media_kind       text CHECK (media_kind IN ('video', 'audio')),
    size_bytes       bigint CHECK (size_bytes >= 0),
    status           text NOT NULL DEFAULT 'uploaded'
                     CHECK (status IN ('uploaded', 'validating', 'transcoding', 'transcribing',
                                       'storing', 'ready', 'failed')),
    failed_step      text CHECK (failed_step IN ('uploaded', 'validating', 'transcoding',
                                                 'transcribing', 'storing')),
    reason           text CHECK (char_length(reason) <= 1000),
    execution_arn    text CHECK (char_length(execution_arn) <= 2048),
    -- What the file really is (read from its bytes, not its name).
    container        text CHECK (char_length(container) <= 64),
    video_codec      text CHECK (char_length(video_codec) <= 64),
    audio_codec      text CHECK (char_length(audio_codec) <= 64),
    width            integer CHECK (width > 0),
    height           integer CHECK (height > 0),
    duration_s       double precision CHECK (duration_s >= 0),
    mp4_key          text CHECK (char_length(mp4_key) <= 512),
    thumbnail_key    text CHECK (char_length(thumbnail_key) <= 512),
    wav_key          text CHECK (char_length(wav_key) <= 512),
    uploaded_at      timestamptz NOT NULL DEFAULT now(),
    validating_at    timestamptz,
    transcoding_at   timestamptz,
    transcribing_at  timestamptz,
    storing_at       timestamptz,
    ready_at         timestamptz,
    failed_at        timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT assets_object_version_unique UNIQUE (bucket, object_key, version_id)
);
-- HR's view of an invitation and the analysis room's reads by upload.
CREATE INDEX assets_invitation_idx ON media.assets (company_id, invitation_id, created_at DESC);
CREATE INDEX assets_upload_idx ON media.assets (upload_id, created_at DESC);

CREATE TABLE media.transcripts (
    asset_id    uuid PRIMARY KEY REFERENCES media.assets (id) ON DELETE CASCADE,
    upload_id   uuid NOT NULL,
    company_id  uuid NOT NULL,
    text        text NOT NULL CHECK (char_length(text) <= 200000),
    language    text CHECK (char_length(language) <= 16),
    engine      text NOT NULL CHECK (engine IN ('groq', 'offline')),
    model       text CHECK (char_length(model) <= 100),
    -- [{"start": s, "end": s, "text": str}], start and end monotonic.
    segments    jsonb NOT NULL DEFAULT '[]'::jsonb,
    chunks      integer NOT NULL DEFAULT 1 CHECK (chunks >= 1),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transcripts_upload_idx ON media.transcripts (upload_id);
