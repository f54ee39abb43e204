"""The hybrid mode's real store on GCP for the shared contract suite: Firestore on its emulator.

tests/contract/test_platform_event_log_contract.py runs every test against the in-memory event log and
against `real_platform_event_log`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_operator_wallet.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_operator_wallet import (
    FirestorePlatformEventLog,
)
from {{ cookiecutter.package_name }}.ports.operator_wallet import PlatformEventLog


@pytest.fixture
def real_platform_event_log(firestore_client: Any) -> PlatformEventLog:
    """The Firestore event log on an empty database."""
    return FirestorePlatformEventLog(DATABASE, firestore_client)
