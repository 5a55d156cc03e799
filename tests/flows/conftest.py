"""Fixtures for the pure flow tests: a coach driver in each language."""

from __future__ import annotations

import pytest

from tests.helpers.flow_driver import FlowDriver


@pytest.fixture(params=["en", "bg"])
def language(request: pytest.FixtureRequest) -> str:
    """Both coach languages."""
    return str(request.param)


@pytest.fixture
def driver(language: str) -> FlowDriver:
    """A fresh driver speaking ``language``."""
    return FlowDriver(language=language)
