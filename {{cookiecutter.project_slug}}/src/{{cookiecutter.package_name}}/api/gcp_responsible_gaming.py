"""Player protection on GCP: kept with the wallet's documents, and the KYC provider (api/gcp.py: its keys)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..settings import SystemClock
from .context import ModuleService, ServerCaller, Services
from .gcp_server_calls import caller_with_secret_keys
from .responsible_gaming import KYC_SCOPE
from .server_calls import KYC_PROVIDER

if TYPE_CHECKING:
    from ..domain.responsible_gaming import ProtectionService


def gcp_protection(services: Services) -> ProtectionService:
    """Players' protection in the casino database: the wallet checks it inside each bet's transaction."""
    # Imported here, not at the top: the Firestore client loads on the first request that needs it.
    from ..adapters.firestore_wallet import FirestoreLedgerStore
    from ..adapters.gcp_clients import database, firestore_client
    from ..domain.responsible_gaming import ProtectionService

    return ProtectionService(
        FirestoreLedgerStore(database(), firestore_client()),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.responsible_gaming",
    )


SERVICE = ModuleService(gcp_protection)


def server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The KYC provider, which sets players' KYC status."""
    return {KYC_PROVIDER: caller_with_secret_keys(KYC_SCOPE, environ, KYC_PROVIDER.upper())}
