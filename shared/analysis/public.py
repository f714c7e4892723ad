"""What other contexts may use of analysis: HR's view of an invitation's analysis."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shared.analysis.models import AnalysisView, AnswerResultView

if TYPE_CHECKING:
    from shared.dal.sql import Conn

__all__ = [
    "AnalysisView",
    "AnswerResultView",
    "analysis_for_invitation",
    "erase_candidate_words",
]


def analysis_for_invitation(
    conn: Conn, company_id: UUID, invitation_id: UUID
) -> AnalysisView | None:
    """The analysis (or that it is waiting for media), or None when this company has none."""
    from shared.analysis import reads  # noqa: PLC0415 - its SQL only where it is read

    return reads.analysis_for_invitation(conn, company_id, invitation_id)


def erase_candidate_words(conn: Conn, company_id: UUID, invitation_id: UUID) -> None:
    """Erasure: remove the candidate's words the analysis keeps (quotes, the stored answers'
    text); scores and justifications stay."""
    from shared.analysis import dal  # noqa: PLC0415 - its SQL only where it is used

    dal.erase_candidate_words(conn, company_id, invitation_id)
    dal.erase_assessment_words(conn, company_id, invitation_id)
