"""The prompts, as versioned files (``prompts/<version>/*.txt``), never as strings in code.

A prompt's version is stored with every analysis, so a result can always be traced to the words
that produced it; changing a prompt means adding a new version directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

from pydantic import BaseModel, ConfigDict

PROMPTS_DIR = Path(__file__).resolve().parent
DEFAULT_VERSION = "v3"
_NAMES = (
    "answer_system",
    "answer_user",
    "reask_quotes",
    "reask_json",
    "summary_system",
    "summary_user",
)


class PromptSet(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: str
    answer_system: str
    answer_user: str
    reask_quotes: str
    reask_json: str
    summary_system: str
    summary_user: str

    def render(self, name: str, **values: str) -> str:
        # safe_substitute: a "$" in a transcript or question stays as written.
        return Template(getattr(self, name)).safe_substitute(values).strip()


@cache
def load_prompts(version: str = DEFAULT_VERSION) -> PromptSet:
    if not version.replace("_", "").isalnum():
        raise ValueError(f"prompt version {version!r} is not a plain name")
    folder = PROMPTS_DIR / version
    texts = {name: (folder / f"{name}.txt").read_text(encoding="utf-8") for name in _NAMES}
    return PromptSet(version=version, **texts)
