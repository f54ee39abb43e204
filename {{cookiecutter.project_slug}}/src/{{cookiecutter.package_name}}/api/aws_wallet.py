"""The wallet on AWS: its ledger in DynamoDB, and the servers that move money, their keys in SSM."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..settings import SystemClock
from ..settings_api import ServerCallerSettings
from .aws_server_calls import caller_with_stored_keys
from .context import CREDIT_SCOPE, ModuleService, ServerCaller, Services
from .server_calls import GAME_SERVER, PAYMENT_PROVIDER

if TYPE_CHECKING:
    from ..domain.wallet import Wallet


def aws_wallet(services: Services) -> Wallet:
    """The wallet on its DynamoDB table, guarded by player protection where the project has it."""
    # Imported here, not at the top: boto3 loads on the first request that needs it.
    from .. import compliance, registry
    from ..adapters.dynamodb_wallet import DynamoLedgerStore
    from ..domain.wallet import Wallet, round_cap_multiple

    settings = services.settings()
    # The jurisdiction's rule; checked against the sessions module's table, so only where the project
    # has it (without it, the game platform's own session is the player's: docs/compliance.md).
    bet_needs_session = compliance.BET_NEEDS_SESSION and registry.enabled("sessions")
    # Player protection guards the wallet where the project has it; otherwise the wallet's own no-op guard.
    guard = services.module("responsible_gaming")
    guarded: dict[str, Any] = {} if guard is None else {"protection": guard}
    # Money operations publish nothing here: their events go out with the ledger entry (the outbox).
    return Wallet(
        DynamoLedgerStore(
            settings.wallet_table_name,
            sessions_table=settings.table("sessions") if bet_needs_session else None,
        ),
        SystemClock(),
        f"{settings.event_source}.wallet",
        round_cap_multiple=round_cap_multiple(os.environ.get("ROUND_CAP_MULTIPLE")),
        bet_needs_session=bet_needs_session,
        **guarded,
    )


# Player protection is the wallet's guard: built first (in the wallet's table), when the project has it.
SERVICE = ModuleService(aws_wallet, needs=("responsible_gaming",))


def server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The payment provider (deposits, withdrawals) and the game server (wins, rollbacks)."""
    return {
        name: caller_with_stored_keys(CREDIT_SCOPE, ServerCallerSettings.from_env(environ, name.upper()))
        for name in (PAYMENT_PROVIDER, GAME_SERVER)
    }
