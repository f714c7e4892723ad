"""The candidate's PDF, checked with real tools: pdftotext (poppler-utils) finds the score, a
quote and the decision, any Unicode name prints, and pdftoppm renders the first page as a test
artifact (test-artifacts/reports/)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from shared.analysis.models import AnalysisView
from shared.reports.document import skill_lines
from shared.reports.pdf import (
    CRITERIA,
    AnswerSection,
    CandidateReport,
    Criterion,
    Decision,
    Quote,
    Review,
    needs_fallback,
    render,
)

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "reports"
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _poppler() -> None:
    """The PDF is read with the real tools: missing, the test fails (it is never skipped)."""
    for tool in ("pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: `make setup` installs poppler-utils")


def _report(name: str) -> CandidateReport:
    criteria = [
        Criterion(n, 60 + 8 * i, f"The answer's {n} was good.", [Quote("I migrated it", 3.5, 7.0)])
        for i, n in enumerate(CRITERIA)
    ]
    return CandidateReport(
        candidate_name=name,
        candidate_email="candidate@example.com",
        company="Acme GmbH",
        interview="Backend engineer",
        status="completed",
        invited_at=NOW,
        started_at=NOW,
        completed_at=NOW,
        generated_at=NOW,
        analysis_status="completed",
        overall=73.5,
        recommendation="consider",
        rule="overall 73.5 is in 50-74: consider",
        engine="Offline heuristic baseline (word overlap, length and structure); not an LLM.",
        summary="A careful engineer with clear answers.",
        strengths=["clear structure"],
        weaknesses=["little depth on testing"],
        red_flags=[],
        answers=[
            AnswerSection(
                1,
                "Tell us about a migration you led.",
                "media",
                72.0,
                criteria,
                reviews=[Review("Hanna", 4, "solid")],
            )
        ],
        decision=Decision("advance", "Invite to the on-site", "Hanna", NOW),
    )


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_pdftotext_finds_the_score_a_quote_and_the_decision(tmp_path: Path) -> None:
    pdf = render(_report("Ada Lovelace"))

    text = _text(pdf, tmp_path)

    assert pdf.startswith(b"%PDF-")
    assert "Overall score: 73.5/100" in text
    assert "Recommendation: consider" in text
    assert "Rule: overall 73.5 is in 50-74: consider" in text
    assert "“I migrated it” [0:03-0:07]" in text
    assert "Decision: advance" in text
    assert "HR rating 4/5 by Hanna: solid" in text
    assert "Offline heuristic baseline" in text


@pytest.mark.parametrize(
    "name",
    ["Zoë Ørsted-Ångström", "Ἀλέξανδρος Παπαδόπουλος", "Дмитрий Шостакович", "王小明", "山田 太郎"],
)
def test_any_unicode_name_prints(name: str, tmp_path: Path) -> None:
    text = _text(render(_report(name)), tmp_path)

    assert name in text


def test_the_fallback_font_is_loaded_only_when_needed() -> None:
    assert not needs_fallback("Zoë Ørsted Дмитрий Ἀλέξανδρος")
    assert needs_fallback("王小明")


def test_first_page_renders_as_an_image_artifact(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(render(_report("Ada Lovelace")))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "candidate-report-page1"

    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(target),
        ],
        check=True,
    )

    image = target.with_suffix(".png")
    assert image.stat().st_size > 5_000
    assert image.read_bytes().startswith(b"\x89PNG")


def test_the_required_skills_and_their_evidence_print(tmp_path: Path) -> None:
    # Given an analysis whose template required two skills, one evidenced with a quote
    view = AnalysisView.model_validate(
        {
            "invitation_id": str(uuid.uuid4()),
            "status": "completed",
            "skills": [
                {
                    "skill_id": str(uuid.uuid4()),
                    "name": "PostgreSQL",
                    "evidenced": True,
                    "evidence": [
                        {
                            "answer_id": str(uuid.uuid4()),
                            "position": 1,
                            "quote": {"text": "I migrated it to PostgreSQL"},
                        }
                    ],
                },
                {"skill_id": str(uuid.uuid4()), "name": "Kafka", "evidenced": False},
            ],
        }
    )
    report = replace(_report("Ada Lovelace"), skills=skill_lines(view))

    # When it is rendered / Then the PDF's text names both and the quote
    text = _text(render(report), tmp_path)
    assert "Required skills" in text
    assert "PostgreSQL: evidenced in question 1: “I migrated it to PostgreSQL”" in text
    assert "Kafka: not evidenced in the answers" in text
