"""The leaderboards routes' service on AWS, built on the first request to those routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.leaderboards import LeaderboardService


def aws_leaderboard_service(services: Services) -> LeaderboardService:
    """The routes' service on AWS: boards, missions and tournaments in the leaderboards table.

    Without the wallet: the routes never pay mission rewards, the leaderboards worker does.
    """
    from ..adapters.dynamodb_leaderboards import DynamoLeaderboardStore
    from ..domain.leaderboards import LeaderboardService
    from ..settings import SystemClock
    from ..settings_leaderboards import LeaderboardSettings

    return LeaderboardService(
        DynamoLeaderboardStore(LeaderboardSettings.from_env().leaderboards_table_name),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.leaderboards",
    )


SERVICE = ModuleService(aws_leaderboard_service)
