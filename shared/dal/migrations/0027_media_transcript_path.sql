-- The transcript path does not wait for the playback path (issue 16): an answer's transcript is
-- stored (and announced, media.transcribed) as soon as it exists, while its MP4 may still be
-- transcoding; a playback that fails after a good transcript keeps the transcript. So each path
-- has its own status and time; `status` stays the asset's overall progress (ready: both ready).
ALTER TABLE media.assets
    ADD COLUMN transcript_status text NOT NULL DEFAULT 'pending'
        CHECK (transcript_status IN ('pending', 'ready', 'failed')),
    ADD COLUMN transcript_ready_at timestamptz,
    ADD COLUMN playback_status text NOT NULL DEFAULT 'pending'
        CHECK (playback_status IN ('pending', 'ready', 'failed')),
    ADD COLUMN playback_ready_at timestamptz;

-- Before this, transcript and playback were stored together, at ready: a ready asset has both,
-- as of its ready time; a failed one has neither (its transcript was never stored).
UPDATE media.assets
SET transcript_status = 'ready', transcript_ready_at = COALESCE(ready_at, updated_at),
    playback_status = 'ready', playback_ready_at = COALESCE(ready_at, updated_at)
WHERE status = 'ready';
UPDATE media.assets
SET transcript_status = 'failed', playback_status = 'failed'
WHERE status = 'failed';

-- A path is ready exactly when it has its time; the asset is ready only when both paths are, and
-- a failed asset has no path still pending (a kept transcript stays ready).
ALTER TABLE media.assets ADD CONSTRAINT assets_transcript_ready_at CHECK (
    (transcript_status = 'ready') = (transcript_ready_at IS NOT NULL));
ALTER TABLE media.assets ADD CONSTRAINT assets_playback_ready_at CHECK (
    (playback_status = 'ready') = (playback_ready_at IS NOT NULL));
ALTER TABLE media.assets ADD CONSTRAINT assets_ready_has_both_paths CHECK (
    status <> 'ready' OR (transcript_status = 'ready' AND playback_status = 'ready'));
ALTER TABLE media.assets ADD CONSTRAINT assets_failed_has_no_pending_path CHECK (
    status <> 'failed' OR (transcript_status <> 'pending' AND playback_status <> 'pending'));
