"""The leaderboards routes' service on Azure, built on the first request to those routes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, cast

from .context import ModuleService, Services

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..adapters.azure_environment import VaultSecret
    from ..domain.leaderboards import LeaderboardService


def azure_leaderboard_service(services: Services) -> LeaderboardService:
    """The routes' service on Azure: boards, missions and tournaments in the Leaderboards table.

    The routes never pay mission rewards. With player protection, tournaments are refused to excluded
    players. The pseudonyms' key is the Key Vault secret LEADERBOARD_PSEUDONYM_KEY_PARAMETER names
    (infra/modules/leaderboards), read with the app's identity on use and cached 5 minutes; without
    KEY_VAULT_URI, the name, or the secret, the standings routes fail closed (no pseudonym is shown,
    never an unkeyed one).
    """
    from ..adapters.azure_environment import VaultSecret, table
    from ..adapters.table_leaderboards import TableLeaderboardStore
    from ..domain.leaderboards import LeaderboardService
    from ..ports import MarketingGate
    from ..settings import SystemClock
    from ..settings_leaderboards import LeaderboardSettings

    settings = LeaderboardSettings.from_env()
    vault = os.environ.get("KEY_VAULT_URI", "").strip()
    name = settings.pseudonym_key_parameter
    return LeaderboardService(
        TableLeaderboardStore(table(os.environ, settings.leaderboards_table_name)),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.leaderboards",
        marketing=cast("MarketingGate | None", services.module("responsible_gaming")),
        pseudonym_key=_key_reader(VaultSecret(vault, name)) if vault and name else None,
        mission_min_stake=settings.mission_min_stake,
    )


def _key_reader(secret: VaultSecret) -> Callable[[], bytes]:
    """The key's bytes, from the secret's cache (Key Vault is asked again once the cache is old)."""
    return lambda: secret.value().encode()


# Player protection, where the project has it, is built first: it refuses tournaments while excluded.
SERVICE = ModuleService(azure_leaderboard_service, needs=("responsible_gaming",))
