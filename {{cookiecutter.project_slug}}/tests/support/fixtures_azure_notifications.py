"""The notifications module's real stores on Azure for the shared contract suites: Table Storage on Azurite.

tests/contract/test_notification_store_contract.py runs every test against the in-memory store and against
`real_notification_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_notifications.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.ports.notifications import NotificationStore


@pytest.fixture
def real_notification_store(table_factory: Callable[..., Any]) -> NotificationStore:
    """The Table Storage notification store on a fresh table."""
    from {{ cookiecutter.package_name }}.adapters.table_notifications import TableNotificationStore

    return TableNotificationStore(table_factory())
