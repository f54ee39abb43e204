"""The leaderboards routes' service on Azure, built on the first request to those routes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, cast

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.leaderboards import LeaderboardService


def azure_leaderboard_service(services: Services) -> LeaderboardService:
    """The routes' service on Azure: boards, missions and tournaments in the Leaderboards table.

    The routes never pay mission rewards. With player protection, tournaments are refused to excluded
    players. The pseudonyms' key is not read on Azure yet (no Key Vault secret is declared for it), so
    the standings routes fail closed (no pseudonym is shown, never an unkeyed one).
    """
    from ..adapters.azure_environment import table
    from ..adapters.table_leaderboards import TableLeaderboardStore
    from ..domain.leaderboards import LeaderboardService
    from ..ports import MarketingGate
    from ..settings import SystemClock
    from ..settings_leaderboards import LeaderboardSettings

    settings = LeaderboardSettings.from_env()
    return LeaderboardService(
        TableLeaderboardStore(table(os.environ, settings.leaderboards_table_name)),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.leaderboards",
        marketing=cast("MarketingGate | None", services.module("responsible_gaming")),
        pseudonym_key=None,
        mission_min_stake=settings.mission_min_stake,
    )


# Player protection, where the project has it, is built first: it refuses tournaments while excluded.
SERVICE = ModuleService(azure_leaderboard_service, needs=("responsible_gaming",))
