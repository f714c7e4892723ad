"""A fake Groq API server: the real ``groq`` client talks to it through ``base_url``.

Never presented as Groq: it is a test double whose answers are derived from the request.
"""

from fakes.groq.server import FakeGroqServer, Fault

__all__ = ["FakeGroqServer", "Fault"]
