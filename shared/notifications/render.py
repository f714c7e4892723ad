"""Messages from versioned template files: ``templates/<kind>.v<N>.{subject.txt,txt,html}``.

Placeholders are ``$name`` (``string.Template``); every value is escaped for HTML in the HTML
body, and a placeholder without a value is an error (never a silently blank line).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template

TEMPLATES_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


class TemplateMissing(LookupError):
    pass


@cache
def _template(kind: str, version: int, part: str) -> Template:
    path = TEMPLATES_DIR / f"{kind}.v{version}.{part}"
    if not path.is_file():
        raise TemplateMissing(f"no template {path.name}")
    return Template(path.read_text(encoding="utf-8"))


def render(
    kind: str, version: int, values: dict[str, str], unsubscribe_url: str | None = None
) -> Rendered:
    """The message's subject and bodies; ``unsubscribe_url`` adds the footer of optional mail."""
    escaped = {k: html.escape(v) for k, v in values.items()}
    footer_text = footer_html = ""
    if unsubscribe_url:
        footer_text = (
            "\n--\nYou receive this because of your notification settings.\n"
            f"Unsubscribe: {unsubscribe_url}\n"
        )
        footer_html = f' <a href="{html.escape(unsubscribe_url)}">Unsubscribe</a>.'
    subject = _template(kind, version, "subject.txt").substitute(values).strip()
    # A header must be one line, whatever a value held.
    subject = " ".join(subject.split())[:200]
    text = _template(kind, version, "txt").substitute(values) + footer_text
    body = _template(kind, version, "html").substitute({**escaped, "footer_html": footer_html})
    return Rendered(subject, text, body)
