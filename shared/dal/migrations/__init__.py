"""Forward-only SQL migrations: ``NNNN_name.sql`` files applied in order, each exactly once."""
