"""Player protection on AWS: kept in the wallet's table, and the KYC provider, its keys in SSM."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..settings import SystemClock
from ..settings_api import ServerCallerSettings
from .aws_server_calls import caller_with_stored_keys
from .context import ModuleService, ServerCaller, Services
from .responsible_gaming import KYC_SCOPE
from .server_calls import KYC_PROVIDER

if TYPE_CHECKING:
    from ..domain.responsible_gaming import ProtectionService


def aws_protection(services: Services) -> ProtectionService:
    """Players' protection in the wallet's table: the wallet checks it inside each bet's transaction."""
    # Imported here, not at the top: boto3 loads on the first request that needs it.
    from ..adapters.dynamodb_wallet import DynamoLedgerStore
    from ..domain.responsible_gaming import ProtectionService

    settings = services.settings()
    return ProtectionService(
        DynamoLedgerStore(settings.wallet_table_name),
        services.publisher(),
        SystemClock(),
        f"{settings.event_source}.responsible_gaming",
    )


SERVICE = ModuleService(aws_protection)


def server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The KYC provider, which sets players' KYC status."""
    caller = ServerCallerSettings.from_env(environ, KYC_PROVIDER.upper())
    return {KYC_PROVIDER: caller_with_stored_keys(KYC_SCOPE, caller)}
