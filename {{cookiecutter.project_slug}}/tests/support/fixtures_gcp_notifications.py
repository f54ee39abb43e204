"""The notifications module's real stores on GCP for the shared contract suites: Firestore on its emulator.

tests/contract/test_notification_store_contract.py runs every test against the in-memory store and against
`real_notification_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_notifications.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_notifications import (
    FirestoreNotificationStore,
)
from {{ cookiecutter.package_name }}.ports.notifications import NotificationStore


@pytest.fixture
def real_notification_store(firestore_client: Any) -> NotificationStore:
    """The Firestore notification store on an empty database."""
    return FirestoreNotificationStore(DATABASE, firestore_client)
