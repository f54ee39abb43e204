"""The hybrid mode's real store on AWS for the shared contract suite: DynamoDB on the moto server.

tests/contract/test_platform_event_log_contract.py runs every test against the in-memory event log and
against `real_platform_event_log`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_operator_wallet.py.
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_operator_wallet import DynamoPlatformEventLog
from {{ cookiecutter.package_name }}.ports.operator_wallet import PlatformEventLog


@pytest.fixture
def real_platform_event_log(aws_tables: dict[str, str]) -> PlatformEventLog:
    """The DynamoDB event log on fresh tables."""
    return DynamoPlatformEventLog(aws_tables["PlatformEventsTable"])
