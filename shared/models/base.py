"""The base of our pydantic models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A model whose validator and serializer are built on first use, not at import: a function
    imports many models (a context's whole boundary, every event type) and uses a few, and
    building each costs about a millisecond of its cold start."""

    model_config = ConfigDict(defer_build=True)
