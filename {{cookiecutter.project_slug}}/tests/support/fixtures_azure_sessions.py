"""The sessions module's real stores on Azure for the shared contract suites: Table Storage on Azurite.

tests/contract/test_session_store_contract.py runs every test against the in-memory store and against
`real_session_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_sessions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.ports.sessions import SessionStore


@pytest.fixture
def real_session_store(table_factory: Callable[..., Any]) -> SessionStore:
    """The Table Storage session store on a fresh table."""
    from {{ cookiecutter.package_name }}.adapters.table_sessions import TableSessionStore

    return TableSessionStore(table_factory())
