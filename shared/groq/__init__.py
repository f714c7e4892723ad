"""Groq: where it is and how to reach it (the real API, a fake on loopback, or none at all)."""
