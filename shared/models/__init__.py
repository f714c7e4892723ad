"""Models per boundary: requests, responses, rows, events, settings."""
