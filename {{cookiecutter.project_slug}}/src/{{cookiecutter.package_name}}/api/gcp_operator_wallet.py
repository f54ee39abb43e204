"""Hybrid mode on GCP: the webhook's event log in Firestore, the operator's platform as a server caller."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..settings import SystemClock
from .context import ServerCaller, Services
from .gcp_server_calls import caller_with_secret_keys
from .operator_wallet import PLATFORM_SCOPE
from .server_calls import OPERATOR_PLATFORM

if TYPE_CHECKING:
    from ..domain.operator_wallet import PlatformEventIntake


def gcp_platform_event_intake(services: Services) -> PlatformEventIntake:
    """The webhook's intake: its event log in the casino database, the project's Pub/Sub topics."""
    # Imported here, not at the top: the Firestore client loads on the first request that needs it.
    from ..adapters.firestore_operator_wallet import FirestorePlatformEventLog
    from ..adapters.gcp_clients import database, firestore_client
    from ..domain.operator_wallet import PlatformEventIntake

    settings = services.settings()
    log = FirestorePlatformEventLog(database(), firestore_client())
    # Published under the wallet's source (on the wallet's topic): the workers' subscriptions and the
    # audit trail match it unchanged.
    return PlatformEventIntake(log, services.publisher(), SystemClock(), f"{settings.event_source}.wallet")


SERVICE = gcp_platform_event_intake


def server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The operator's platform: its OAuth client ids and its signing keys (Secret Manager, read on use)."""
    return {OPERATOR_PLATFORM: caller_with_secret_keys(PLATFORM_SCOPE, environ, OPERATOR_PLATFORM.upper())}
