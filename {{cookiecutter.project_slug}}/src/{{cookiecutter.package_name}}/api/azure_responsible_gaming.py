"""Player protection on Azure: kept in the wallet's table, and the KYC provider, its keys in Key Vault."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..settings import SystemClock
from .azure_server_calls import caller_with_vault_keys
from .context import ModuleService, ServerCaller, Services
from .responsible_gaming import KYC_SCOPE
from .server_calls import KYC_PROVIDER

if TYPE_CHECKING:
    from ..domain.responsible_gaming import ProtectionService


def azure_protection(services: Services) -> ProtectionService:
    """Players' protection in the Wallet table: the wallet checks it inside each bet's transaction."""
    from ..adapters.azure_environment import table
    from ..adapters.table_wallet import TableLedgerStore
    from ..domain.responsible_gaming import ProtectionService

    settings = services.settings()
    return ProtectionService(
        TableLedgerStore(table(os.environ, settings.wallet_table_name)),
        services.publisher(),
        SystemClock(),
        f"{settings.event_source}.responsible_gaming",
    )


SERVICE = ModuleService(azure_protection)


def server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The KYC provider, which sets players' KYC status."""
    return {KYC_PROVIDER: caller_with_vault_keys(KYC_SCOPE, KYC_PROVIDER, environ)}
