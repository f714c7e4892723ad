"""The fake Groq (``fakes.groq.server``) behind the local stage: the stage's Groq secret names
it (with a dummy key) for the block, and is put back as it was afterwards. Locally the functions
read the secret on every call (``GROQ_CACHE_S=0``), so the switch counts at once."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

from fakes.groq.server import FakeGroqServer
from scripts import localenv

NO_KEY = json.dumps({"api_key": None})


def secret_name() -> str:
    return f"interview-platform/{localenv.STAGE}/groq"


@contextlib.contextmanager
def stage_fake_groq(api_key: str = "fake-key-not-groq") -> Iterator[FakeGroqServer]:
    """A running fake, the stage's secret naming it for the block; the secret as it was after."""
    secrets = localenv.client("secretsmanager")
    name = secret_name()
    try:
        previous = secrets.get_secret_value(SecretId=name)["SecretString"]
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(Name=name, SecretString=NO_KEY)
        previous = NO_KEY
    with FakeGroqServer() as server:
        value = {"api_key": api_key, "base_url": server.base_url}
        secrets.put_secret_value(SecretId=name, SecretString=json.dumps(value))
        try:
            yield server
        finally:
            secrets.put_secret_value(SecretId=name, SecretString=previous)
