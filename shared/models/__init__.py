"""The published language: every event type's payload model, one module per context."""
