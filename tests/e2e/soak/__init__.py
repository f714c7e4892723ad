"""Soak of the local stack (issue 13, finding 16)."""
