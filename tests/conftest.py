"""Session-wide test hooks."""

from __future__ import annotations

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the PostgreSQL databases that the service and store tests created for themselves."""
    from tests.service.conftest import drop_test_databases

    drop_test_databases()
