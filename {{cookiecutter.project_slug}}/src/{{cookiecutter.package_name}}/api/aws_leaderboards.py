"""The leaderboards routes' service on AWS, built on the first request to those routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .context import ModuleService, Services

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..adapters.parameter_store import SecureParameter
    from ..domain.leaderboards import LeaderboardService


def aws_leaderboard_service(services: Services) -> LeaderboardService:
    """The routes' service on AWS: boards, missions and tournaments in the leaderboards table.

    Without the wallet: the routes never pay mission rewards, the leaderboards worker does. With player
    protection, tournaments are refused to excluded players. The pseudonyms' key is read from SSM
    Parameter Store (cached, adapters/parameter_store.py); without its name no pseudonym is shown (the
    standings routes fail closed), never an unkeyed one.
    """
    from ..adapters.dynamodb_leaderboards import DynamoLeaderboardStore
    from ..adapters.parameter_store import SecureParameter
    from ..domain.leaderboards import LeaderboardService
    from ..ports import MarketingGate
    from ..settings import SystemClock
    from ..settings_leaderboards import LeaderboardSettings

    settings = LeaderboardSettings.from_env()
    name = settings.pseudonym_key_parameter
    key = None if name is None else SecureParameter(name)
    gate = services.module("responsible_gaming")
    return LeaderboardService(
        DynamoLeaderboardStore(settings.leaderboards_table_name),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.leaderboards",
        marketing=cast("MarketingGate | None", gate),
        pseudonym_key=None if key is None else _key_reader(key),
        mission_min_stake=settings.mission_min_stake,
    )


def _key_reader(parameter: SecureParameter) -> Callable[[], bytes]:
    """The key's bytes, from the parameter's cache (SSM is asked again once the cache is old)."""
    return lambda: parameter.value().encode()


# Player protection, where the project has it, is built first: it refuses tournaments while excluded.
SERVICE = ModuleService(aws_leaderboard_service, needs=("responsible_gaming",))
