"""The media context: raw uploads, the media pipeline's records, transcripts."""
