"""The audit trail's real log on Azure for the shared contract suite: Table Storage on Azurite.

tests/contract/test_audit_log_contract.py runs every test against the in-memory log and against
`real_audit_log`; the archive's real store is in fixtures_azure_audit_archive.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.ports import AuditLog


@pytest.fixture
def real_audit_log(table_factory: Callable[..., Any]) -> AuditLog:
    """The Table Storage hash chain on a fresh table."""
    from {{ cookiecutter.package_name }}.adapters.table_audit import TableAuditLog

    return TableAuditLog(table_factory())


@pytest.fixture
def real_audit_contention() -> tuple[type[Exception], ...]:
    """What the Table Storage log raises when other writers keep moving the head: the events are retried."""
    pytest.importorskip(
        "azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)"
    )
    from {{ cookiecutter.package_name }}.adapters.table_audit import AuditAppendContention

    return (AuditAppendContention,)
