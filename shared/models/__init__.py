"""The platform's shared vocabulary: every event type's payload model (`events/`, one module per
context: the published language) and field types several contexts validate alike (`fields.py`)."""
