"""The soak's marker: `pytest -m soak` selects it, `-m "not soak"` leaves it out."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "soak: sustained load on the local stack (minutes; finding 16); select with -m soak",
    )
