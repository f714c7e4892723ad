"""The candidate's PDF: pure rendering of a :class:`CandidateReport` with fpdf2 (pure Python).

Text is set in DejaVu Sans (Latin, Greek, Cyrillic, Hebrew, Arabic and more), embedded and
subset; a name or quote with characters DejaVu lacks (Chinese, Japanese, Korean) brings in Droid
Sans Fallback as a fallback font. Both are vendored in ``fonts/`` with their licences. Loading
the fallback costs over a second, so it is added only to a document that needs it. The chart of
the four criteria is drawn with fpdf2's own rectangles and text (no plotting library).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"
FALLBACK = FONTS / "DroidSansFallbackFull.ttf"
CRITERIA = ("relevance", "completeness", "clarity", "depth")
_BAR_COLOURS = {
    "relevance": (52, 101, 164),
    "completeness": (78, 154, 6),
    "clarity": (196, 160, 0),
    "depth": (117, 80, 123),
}


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    score: int
    justification: str
    quotes: list[Quote] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Review:
    reviewer: str
    rating: int
    comment: str | None


@dataclass(frozen=True, slots=True)
class AnswerSection:
    position: int
    question: str
    kind: str
    score: float | None
    criteria: list[Criterion] = field(default_factory=list)
    note: str | None = None  # unscorable or flagged, and why
    reviews: list[Review] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Decision:
    decision: str
    note: str | None
    decided_by: str
    decided_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CandidateReport:
    candidate_name: str
    candidate_email: str
    company: str
    interview: str
    status: str
    invited_at: dt.datetime
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    generated_at: dt.datetime
    analysis_status: str
    overall: float | None
    recommendation: str | None
    rule: str | None
    engine: str | None
    summary: str | None
    strengths: list[str]
    weaknesses: list[str]
    red_flags: list[str]
    answers: list[AnswerSection]
    decision: Decision | None
    revision: int = 1
    # The template's required skills: whether and where the answers evidence them (with quotes).
    skills: list[str] = field(default_factory=list)


def render(report: CandidateReport) -> bytes:
    """The report as PDF bytes."""
    pdf = _document(needs_fallback(_all_text(report)))
    _Writer(pdf).write(report)
    return bytes(pdf.output())


# ---- fonts -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _regular_coverage() -> frozenset[int]:
    """The code points DejaVu Sans draws (read once per process)."""
    from fontTools.ttLib import TTFont  # noqa: PLC0415 - with fpdf2, on the rendering path

    with TTFont(str(REGULAR), lazy=True) as font:
        return frozenset(font.getBestCmap())


def needs_fallback(text: str) -> bool:
    covered = _regular_coverage()
    return any(ord(ch) not in covered for ch in text if not ch.isspace())


def _all_text(report: CandidateReport) -> str:
    parts = [
        report.candidate_name,
        report.candidate_email,
        report.company,
        report.interview,
        report.summary or "",
        report.rule or "",
        *report.strengths,
        *report.weaknesses,
        *report.red_flags,
        *report.skills,
    ]
    for answer in report.answers:
        parts += [answer.question, answer.note or ""]
        for criterion in answer.criteria:
            parts.append(criterion.justification)
            parts += [q.text for q in criterion.quotes]
        for review in answer.reviews:
            parts += [review.reviewer, review.comment or ""]
    if report.decision:
        parts += [report.decision.note or "", report.decision.decided_by]
    return "".join(parts)


def _document(with_fallback: bool) -> FPDF:
    from fpdf import FPDF  # noqa: PLC0415 - fpdf2 only where a PDF is made

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_font("DejaVu", "", str(REGULAR))
    pdf.add_font("DejaVu", "B", str(BOLD))
    if with_fallback:
        pdf.add_font("Fallback", "", str(FALLBACK))
        pdf.set_fallback_fonts(["Fallback"], exact_match=False)
    pdf.set_title("Candidate report")
    pdf.set_creator("Interview platform")
    return pdf


# ---- layout ------------------------------------------------------------------------------------


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def score_text(value: float | None) -> str:
    """73.5 -> "73.5/100", 80.0 -> "80/100"."""
    if value is None:
        return "not scored"
    return f"{value:.1f}".removesuffix(".0") + "/100"


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    minutes, seconds = divmod(int(value), 60)
    return f"{minutes}:{seconds:02d}"


class _Writer:
    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf

    @property
    def width(self) -> float:
        return float(self.pdf.epw)

    def text(self, value: str, size: int = 10, bold: bool = False, height: float = 5) -> None:
        from fpdf.enums import XPos, YPos  # noqa: PLC0415

        self.pdf.set_font("DejaVu", "B" if bold else "", size)
        self.pdf.multi_cell(self.width, height, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, value: str, size: int = 13) -> None:
        self.pdf.ln(3)
        self.text(value, size=size, bold=True, height=7)

    def bullets(self, title: str, items: list[str]) -> None:
        self.text(title, bold=True)
        for item in items or ["(none)"]:
            self.text(f"  • {item}")

    def write(self, r: CandidateReport) -> None:
        pdf = self.pdf
        pdf.add_page()
        self.text("Candidate report", size=18, bold=True, height=9)
        self.text(r.candidate_name, size=14, bold=True, height=7)
        self.text(r.candidate_email)
        self.text(f"Company: {r.company}")
        self.text(f"Interview: {r.interview} ({r.status})")
        self.text(
            f"Invited {_when(r.invited_at)} · started {_when(r.started_at)}"
            f" · completed {_when(r.completed_at)}"
        )
        self.text(f"Report generated {_when(r.generated_at)} (revision {r.revision})", size=8)

        self.heading("Result")
        if r.analysis_status == "completed":
            self.text(f"Overall score: {score_text(r.overall)}", size=12, bold=True)
            self.text(f"Recommendation: {r.recommendation or 'none'}", size=12, bold=True)
            if r.rule:
                self.text(f"Rule: {r.rule}")
        elif r.analysis_status == "human_review":
            self.text("Human-only review: the candidate declined AI analysis; no AI scores.")
        else:
            self.text(f"AI analysis: {r.analysis_status}")
        self.text(f"Engine: {r.engine or 'none'}", size=9)

        if r.summary:
            self.heading("Summary")
            self.text(r.summary)
        if r.analysis_status == "completed":
            self.bullets("Strengths", r.strengths)
            self.bullets("Weaknesses", r.weaknesses)
            self.bullets("Red flags", r.red_flags)
            if r.skills:
                self.bullets("Required skills", r.skills)

        for answer in r.answers:
            self._answer(answer)

        self.heading("Decision")
        if r.decision is None:
            self.text("No decision yet.")
        else:
            self.text(f"Decision: {r.decision.decision}", size=12, bold=True)
            self.text(f"By {r.decision.decided_by}, {_when(r.decision.decided_at)}")
            if r.decision.note:
                self.text(f"Note: {r.decision.note}")

    def _answer(self, a: AnswerSection) -> None:
        self.heading(f"Question {a.position} ({a.kind}): {score_text(a.score)}", size=11)
        self.text(a.question)
        if a.note:
            self.text(a.note, size=9)
        if a.criteria:
            self._chart(a.criteria)
            for criterion in a.criteria:
                self.text(f"{criterion.name.capitalize()} {criterion.score}", bold=True, size=9)
                self.text(criterion.justification, size=9)
                for quote in criterion.quotes:
                    at = ""
                    if quote.start is not None:
                        at = f" [{_seconds(quote.start)}-{_seconds(quote.end)}]"
                    self.text(f"  “{quote.text}”{at}", size=9)
        for review in a.reviews:
            comment = f": {review.comment}" if review.comment else ""
            self.text(f"HR rating {review.rating}/5 by {review.reviewer}{comment}", size=9)

    def _chart(self, criteria: list[Criterion]) -> None:
        """Four horizontal bars, 0-100, with their scores."""
        pdf = self.pdf
        label_w, bar_h, gap = 30.0, 4.5, 1.5
        track_w = self.width - label_w - 15
        needed = len(criteria) * (bar_h + gap) + 4
        if pdf.get_y() + needed > pdf.h - pdf.b_margin:
            pdf.add_page()
        x0, y = pdf.l_margin, pdf.get_y() + 1
        pdf.set_font("DejaVu", "", 8)
        for criterion in criteria:
            pdf.set_xy(x0, y)
            pdf.cell(label_w, bar_h, criterion.name.capitalize())
            pdf.set_fill_color(230, 230, 230)
            pdf.rect(x0 + label_w, y, track_w, bar_h, style="F")
            pdf.set_fill_color(*_BAR_COLOURS.get(criterion.name, (90, 90, 90)))
            pdf.rect(x0 + label_w, y, track_w * max(0, min(criterion.score, 100)) / 100, bar_h, "F")
            pdf.set_xy(x0 + label_w + track_w + 2, y)
            pdf.cell(12, bar_h, str(criterion.score))
            y += bar_h + gap
        pdf.set_xy(x0, y + 1)
