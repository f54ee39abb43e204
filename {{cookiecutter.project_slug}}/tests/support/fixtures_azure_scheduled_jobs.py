"""The scheduled jobs' real stores on Azure for the shared contract suites: Table Storage on Azurite.

tests/contract/test_jobs_store_contract.py runs every test against the in-memory stores and against
`real_session_housekeeping`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_scheduled_jobs.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.ports.scheduled_jobs import SessionHousekeeping
from {{ cookiecutter.package_name }}.ports.sessions import SessionStore


@pytest.fixture
def real_session_housekeeping(table_factory: Callable[..., Any]) -> tuple[SessionHousekeeping, SessionStore]:
    """The Table Storage housekeeping and the session store it cleans, on one fresh Sessions table."""
    from {{ cookiecutter.package_name }}.adapters.table_jobs import TableSessionHousekeeping
    from {{ cookiecutter.package_name }}.adapters.table_sessions import TableSessionStore

    table = table_factory()
    return TableSessionHousekeeping(table), TableSessionStore(table)
