"""The wallet on GCP: its ledger in Firestore, and the servers that move money (api/gcp.py: their keys)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..settings import SystemClock
from .context import CREDIT_SCOPE, ModuleService, ServerCaller, Services
from .gcp_server_calls import caller_with_secret_keys
from .server_calls import GAME_SERVER, PAYMENT_PROVIDER

if TYPE_CHECKING:
    from ..domain.wallet import Wallet


def gcp_wallet(services: Services) -> Wallet:
    """The wallet on the casino database, guarded by player protection where the project has it."""
    # Imported here, not at the top: the Firestore client loads on the first request that needs it.
    from .. import compliance, registry
    from ..adapters.firestore_wallet import FirestoreLedgerStore
    from ..adapters.gcp_clients import database, firestore_client
    from ..domain.wallet import Wallet, round_cap_multiple

    settings = services.settings()
    # The jurisdiction's rule; checked against the sessions module's documents, so only where the
    # project has it (without it, the game platform's own session is the player's: docs/compliance.md).
    bet_needs_session = compliance.BET_NEEDS_SESSION and registry.enabled("sessions")
    sessions_collection = None
    if bet_needs_session:
        from ..adapters.firestore_sessions import SESSIONS

        sessions_collection = SESSIONS
    # Player protection guards the wallet where the project has it; otherwise the wallet's own no-op guard.
    guard = services.module("responsible_gaming")
    guarded: dict[str, Any] = {} if guard is None else {"protection": guard}
    # Money operations publish nothing here: their events go out with the ledger entry (the outbox relay).
    return Wallet(
        FirestoreLedgerStore(database(), firestore_client(), sessions_collection=sessions_collection),
        SystemClock(),
        f"{settings.event_source}.wallet",
        round_cap_multiple=round_cap_multiple(os.environ.get("ROUND_CAP_MULTIPLE")),
        bet_needs_session=bet_needs_session,
        **guarded,
    )


# Player protection is the wallet's guard: built first (in the wallet's documents), when the project has it.
SERVICE = ModuleService(gcp_wallet, needs=("responsible_gaming",))


def server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The payment provider (deposits, withdrawals) and the game server (wins, rollbacks)."""
    return {
        name: caller_with_secret_keys(CREDIT_SCOPE, environ, name.upper())
        for name in (PAYMENT_PROVIDER, GAME_SERVER)
    }
