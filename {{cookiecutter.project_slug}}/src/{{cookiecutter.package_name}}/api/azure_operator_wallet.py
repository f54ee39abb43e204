"""The hybrid mode on Azure: the webhook's event log in Table Storage, the operator's platform as a server
caller with its signing keys in Key Vault."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..settings import SystemClock
from ..settings_operator_wallet import platform_events_table_name
from .azure_server_calls import caller_with_vault_keys
from .context import ServerCaller, Services
from .operator_wallet import PLATFORM_SCOPE
from .server_calls import OPERATOR_PLATFORM

if TYPE_CHECKING:
    from ..domain.operator_wallet import PlatformEventIntake


def azure_platform_event_intake(services: Services) -> PlatformEventIntake:
    """The webhook's intake: its event log in the module's table (PLATFORM_EVENTS_TABLE_NAME), the topic."""
    from ..adapters.azure_environment import table
    from ..adapters.table_operator_wallet import TablePlatformEventLog
    from ..domain.operator_wallet import PlatformEventIntake

    settings = services.settings()
    log = TablePlatformEventLog(table(os.environ, platform_events_table_name()))
    # Published under the wallet's source: the workers' subscriptions and the audit trail match it unchanged.
    return PlatformEventIntake(log, services.publisher(), SystemClock(), f"{settings.event_source}.wallet")


SERVICE = azure_platform_event_intake


def server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The operator's platform: its Entra ID client ids, its signing keys (Key Vault secrets, read on use)."""
    return {OPERATOR_PLATFORM: caller_with_vault_keys(PLATFORM_SCOPE, OPERATOR_PLATFORM, environ)}
