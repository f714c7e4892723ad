"""Evidence: quotes must be verbatim; found quotes get the timestamps of their segments."""

from __future__ import annotations

from shared.analysis import evidence
from shared.analysis.models import Segment, Transcript

TRANSCRIPT = Transcript(
    text=(
        "I led the migration to PostgreSQL. It cut our latency by forty percent. We kept it simple."
    ),
    segments=[
        Segment(start=0.0, end=2.5, text="I led the migration to PostgreSQL."),
        Segment(start=2.5, end=5.0, text="It cut our latency by forty percent."),
        Segment(start=5.0, end=6.4, text="We kept it simple."),
    ],
)


def test_a_verbatim_quote_is_accepted_whatever_its_case_spacing_and_edge_punctuation() -> None:
    assert evidence.is_verbatim("it cut our  latency by forty percent", TRANSCRIPT.text)
    assert evidence.is_verbatim('"We kept it simple."', TRANSCRIPT.text)


def test_a_paraphrase_or_invented_quote_is_rejected() -> None:
    assert not evidence.is_verbatim("It reduced latency by 40%", TRANSCRIPT.text)
    assert not evidence.is_verbatim("I am a great leader", TRANSCRIPT.text)
    assert evidence.unverified(["We kept it simple", "made up"], TRANSCRIPT.text) == ["made up"]


def test_a_quote_gets_the_timestamps_of_the_segments_it_spans() -> None:
    one = evidence.locate("cut our latency", TRANSCRIPT)
    assert (one.start, one.end) == (2.5, 5.0)
    two = evidence.locate("PostgreSQL. It cut our latency", TRANSCRIPT)
    assert (two.start, two.end) == (0.0, 5.0)


def test_a_text_answer_quote_has_no_timestamps() -> None:
    quote = evidence.locate("simple", Transcript(text="We kept it simple."))
    assert quote.start is None
    assert quote.end is None
