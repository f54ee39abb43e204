"""The hybrid mode's real stores on Azure for the shared contract suites: Table Storage on Azurite.

tests/contract/test_platform_event_log_contract.py runs every test against the in-memory event log and
against `real_platform_event_log`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_operator_wallet.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.ports.operator_wallet import PlatformEventLog


@pytest.fixture
def real_platform_event_log(table_factory: Callable[..., Any]) -> PlatformEventLog:
    """The Table Storage event log on a fresh table."""
    from {{ cookiecutter.package_name }}.adapters.table_operator_wallet import TablePlatformEventLog

    return TablePlatformEventLog(table_factory())
