"""The consent text's version (issue 19): the candidate page sends the version of the wording it
shows, the start accepts only versions the platform knows, and the page's is the current one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.interviews.candidate_models import (
    CONSENT_TEXT_VERSIONS,
    CURRENT_CONSENT_TEXT_VERSION,
    StartRequest,
)

APP = Path(__file__).resolve().parents[3] / "web" / "src" / "candidate" / "app.tsx"


def test_the_candidate_page_shows_the_current_consent_text_version() -> None:
    # Given the candidate page's source
    found = re.findall(r'export const CONSENT_TEXT_VERSION = "([^"]+)";', APP.read_text("utf-8"))
    # Then it names exactly one version, the platform's current one, and sends it with the start
    assert found == [CURRENT_CONSENT_TEXT_VERSION]
    assert "text_version: CONSENT_TEXT_VERSION" in APP.read_text("utf-8")


def test_the_start_takes_a_known_version_or_none_and_refuses_an_unknown_one() -> None:
    for version in CONSENT_TEXT_VERSIONS:
        body = StartRequest.model_validate(
            {"recording": True, "ai_analysis": False, "text_version": version}
        )
        assert body.text_version == version
    assert (
        StartRequest.model_validate({"recording": True, "ai_analysis": True}).text_version is None
    )
    with pytest.raises(ValidationError, match="unknown consent text version"):
        StartRequest.model_validate(
            {"recording": True, "ai_analysis": True, "text_version": "1999-01-01"}
        )
