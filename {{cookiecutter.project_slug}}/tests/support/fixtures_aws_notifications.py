"""The notifications module's real stores on AWS for the shared contract suites: DynamoDB on the moto server.

tests/contract/test_notification_store_contract.py runs every test against the in-memory store and against
`real_notification_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_notifications.py.
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_notifications import DynamoNotificationStore
from {{ cookiecutter.package_name }}.ports.notifications import NotificationStore


@pytest.fixture
def real_notification_store(aws_tables: dict[str, str]) -> NotificationStore:
    """The DynamoDB notification store on fresh tables."""
    return DynamoNotificationStore(aws_tables["NotificationsTable"])
