"""Text heuristics: word overlap with the question and rubric, length, structure, specifics.

The offline engine's baseline (no LLM) and the fake Groq's deterministic answers both use them.
They measure surface features only; they are a baseline, never presented as understanding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[a-zA-Z\u00C0-\u024F][a-zA-Z\u00C0-\u024F'-]*|\d+(?:[.,]\d+)?")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_FILLERS = frozenset({"um", "uh", "erm", "hmm", "like", "basically", "actually", "literally"})
_SPECIFICS = frozenset(
    {"because", "example", "instance", "measured", "percent", "therefore", "tradeoff", "trade-off"}
)
STOPWORDS = frozenset(
    " ".join(
        (
            "a about above after again against all am an and any are as at be because been",
            "before being below between both but by can could did do does doing down during",
            "each few for from further had has have having he her here hers herself him",
            "himself his how i if in into is it its itself just me more most my myself no nor",
            "not now of off on once only or other our ours ourselves out over own same she",
            "should so some such than that the their theirs them themselves then there these",
            "they this those through to too under until up very was we were what when where",
            "which while who whom why will with would you your yours yourself yourselves",
            "tell describe explain question answer please give one",
        )
    ).split()
)


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def content_words(text: str) -> set[str]:
    return {w for w in words(text) if len(w) > 2 and w not in STOPWORDS}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip().split()) >= 2]


def _clamp(value: float) -> int:
    return max(0, min(100, round(value)))


@dataclass(frozen=True, slots=True)
class Features:
    word_count: int
    overlap: float  # share of the question's and rubric's content words the answer uses
    sentences: int
    avg_sentence_words: float
    filler_share: float
    specifics: int  # numbers and "because / for example" style markers
    lexical_variety: float


def features(answer: str, question: str, rubric: str | None = None) -> Features:
    tokens = words(answer)
    keywords = content_words(f"{question} {rubric or ''}")
    used = content_words(answer)
    parts = sentences(answer)
    count = len(tokens)
    return Features(
        word_count=count,
        overlap=len(used & keywords) / len(keywords) if keywords else 0.0,
        sentences=len(parts),
        avg_sentence_words=count / len(parts) if parts else float(count),
        filler_share=sum(t in _FILLERS for t in tokens) / count if count else 0.0,
        specifics=sum(t.isdigit() or t in _SPECIFICS for t in tokens),
        lexical_variety=len(set(tokens)) / count if count else 0.0,
    )


def criterion_scores(f: Features) -> dict[str, int]:
    """0-100 per criterion: empty scores 0; on-topic, detailed and structured scores high."""
    if f.word_count == 0:
        return {"relevance": 0, "completeness": 0, "clarity": 0, "depth": 0}
    length = min(1.0, f.word_count / 120)
    relevance = 10 + 90 * min(1.0, f.overlap * 2.5)
    completeness = 100 * (0.6 * length + 0.4 * min(1.0, f.overlap * 2.0))
    ideal = 1.0 - min(1.0, abs(f.avg_sentence_words - 16) / 24)
    clarity = 100 * (0.35 + 0.45 * ideal + 0.2 * min(1.0, f.sentences / 4)) - 300 * f.filler_share
    depth = 100 * (
        0.45 * length + 0.35 * min(1.0, f.specifics / 4) + 0.2 * min(1.0, f.lexical_variety)
    )
    if f.overlap == 0:
        # Off topic: words alone do not make an answer.
        completeness, depth = completeness * 0.4, depth * 0.4
    return {
        "relevance": _clamp(relevance if f.overlap else 5),
        "completeness": _clamp(completeness),
        "clarity": _clamp(clarity),
        "depth": _clamp(depth),
    }


def best_sentences(answer: str, question: str, rubric: str | None, limit: int = 2) -> list[str]:
    """The answer's sentences sharing most words with the question and rubric (verbatim)."""
    keywords = content_words(f"{question} {rubric or ''}")
    ranked = sorted(
        enumerate(sentences(answer)),
        key=lambda item: (-len(content_words(item[1]) & keywords), item[0]),
    )
    return [text[:300].strip() for _, text in ranked[:limit]]


_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


def _sentence_around(text: str, start: int, end: int, limit: int = 300) -> str:
    """The sentence of ``text`` holding ``text[start:end]``, verbatim (a dot inside a word, as
    in "Node.js", does not end it); cut to ``limit`` characters around the match."""
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    left = before[-1] if before else 0
    after = _SENTENCE_END.search(text, end)
    right = after.end() if after else len(text)
    left = max(left, end - limit)
    return text[left : min(right, left + limit)].strip()


def skills_shown(answer: str, names: list[str]) -> list[tuple[str, str]]:
    """(name, quote) for each skill the answer names as a whole word or phrase (any case),
    with the first sentence that does: a surface baseline, not a judgement of proficiency."""
    found = []
    for name in names:
        pattern = re.compile(rf"(?<!\w){re.escape(name.strip())}(?!\w)", re.IGNORECASE)
        match = pattern.search(answer) if name.strip() else None
        if match:
            found.append((name, _sentence_around(answer, match.start(), match.end())))
    return found
