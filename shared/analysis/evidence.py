"""Evidence: a quote counts only if it occurs verbatim in the transcript; then it gets the
timestamps of the segment(s) it was said in, for playback."""

from __future__ import annotations

import re
from collections.abc import Sequence

from shared.analysis.models import Quote, SkillAsked, SkillEvidence, Transcript

_SPACE = re.compile(r"\s+")
# Punctuation the transcriber and the LLM may disagree on around a verbatim quote.
_EDGE = " \t\n\"'`.,;:!?\u201c\u201d\u2018\u2019"


def _norm(text: str) -> str:
    """Case and whitespace do not make a quote unfaithful; anything else does."""
    return _SPACE.sub(" ", text).strip().casefold()


def is_verbatim(quote: str, transcript: str) -> bool:
    needle = _norm(quote).strip(_EDGE)
    return len(needle) >= 3 and needle in _norm(transcript)


def unverified(quotes: Sequence[str], transcript: str) -> list[str]:
    return [q for q in quotes if not is_verbatim(q, transcript)]


def locate(quote: str, transcript: Transcript) -> Quote:
    """The quote with the start/end of the segments that contain it (None for text answers)."""
    text = quote.strip()[:500]
    if not transcript.segments:
        return Quote(text=text)
    needle = _norm(quote).strip(_EDGE)
    # Offsets of each segment inside the normalised, space-joined segment texts.
    spans: list[tuple[int, int]] = []
    joined = ""
    for segment in transcript.segments:
        piece = _norm(segment.text)
        start = len(joined) + (1 if joined else 0)
        joined = f"{joined} {piece}" if joined else piece
        spans.append((start, len(joined)))
    at = joined.find(needle)
    if at < 0:
        return Quote(text=text)
    end = at + len(needle)
    hit = [i for i, (s, e) in enumerate(spans) if s < end and e > at]
    if not hit:
        return Quote(text=text)
    first, last = transcript.segments[hit[0]], transcript.segments[hit[-1]]
    return Quote(text=text, start=round(first.start, 2), end=round(max(last.end, first.start), 2))


def skills_evidenced(
    claims: Sequence[tuple[str, str]], asked: Sequence[SkillAsked], transcript: Transcript
) -> list[SkillEvidence]:
    """The claims ``(skill name, quote)`` that hold: a skill that was asked for (its name in
    any case), with a quote that occurs verbatim; one per skill, the first that holds, in the
    order the skills were asked."""
    by_name = {skill.name.casefold(): skill for skill in asked}
    held: dict[str, SkillEvidence] = {}
    for name, quote in claims:
        skill = by_name.get(name.strip().casefold())
        if skill is None or skill.name.casefold() in held:
            continue
        if is_verbatim(quote, transcript.text):
            held[skill.name.casefold()] = SkillEvidence(
                skill_id=skill.skill_id, name=skill.name, quote=locate(quote, transcript)
            )
    return [held[s.name.casefold()] for s in asked if s.name.casefold() in held]
