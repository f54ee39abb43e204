"""The wallet on Azure: its ledger in Table Storage, and the servers that move money (keys in Key Vault)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..settings import SystemClock
from .azure_server_calls import caller_with_vault_keys
from .context import CREDIT_SCOPE, ModuleService, ServerCaller, Services
from .server_calls import GAME_SERVER, PAYMENT_PROVIDER

if TYPE_CHECKING:
    from ..domain.wallet import Wallet


def azure_wallet(services: Services) -> Wallet:
    """The wallet on its table (WALLET_TABLE_NAME), guarded by player protection where the project has it."""
    from .. import compliance, registry
    from ..adapters.azure_environment import table
    from ..adapters.table_wallet import TableLedgerStore
    from ..domain.wallet import Wallet, round_cap_multiple

    settings = services.settings()
    # The jurisdiction's rule, checked against the sessions module's table where the project has it.
    bet_needs_session = compliance.BET_NEEDS_SESSION and registry.enabled("sessions")
    sessions = None
    if bet_needs_session:
        from ..adapters.table_sessions import TableSessionStore

        sessions = TableSessionStore(table(os.environ, settings.sessions_table_name))
    guard = services.module("responsible_gaming")
    guarded: dict[str, Any] = {} if guard is None else {"protection": guard}
    # Money operations publish nothing here: their events go out with the ledger entry (the outbox relay).
    return Wallet(
        TableLedgerStore(table(os.environ, settings.wallet_table_name), sessions=sessions),
        SystemClock(),
        f"{settings.event_source}.wallet",
        round_cap_multiple=round_cap_multiple(os.environ.get("ROUND_CAP_MULTIPLE")),
        bet_needs_session=bet_needs_session,
        **guarded,
    )


# Player protection is the wallet's guard: built first (in the wallet's table), when the project has it.
SERVICE = ModuleService(azure_wallet, needs=("responsible_gaming",))


def server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The payment provider (deposits, withdrawals) and the game server (wins, rollbacks)."""
    return {
        name: caller_with_vault_keys(CREDIT_SCOPE, name, environ) for name in (PAYMENT_PROVIDER, GAME_SERVER)
    }
