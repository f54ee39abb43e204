"""The leaderboards routes' service on GCP, built on the first request to those routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.leaderboards import LeaderboardService


def gcp_leaderboard_service(services: Services) -> LeaderboardService:
    """The routes' service on GCP: boards, missions and tournaments in the casino database.

    Without the wallet: the routes never pay mission rewards. With player protection, tournaments are
    refused to excluded players. infra/ passes no pseudonyms' key (there is no secret for it yet), so
    no pseudonym is shown: the standings routes fail closed, never with an unkeyed one.
    """
    from ..adapters.firestore_leaderboards import FirestoreLeaderboardStore
    from ..adapters.gcp_clients import database, firestore_client, settings_environ
    from ..domain.leaderboards import LeaderboardService
    from ..ports import MarketingGate
    from ..settings import SystemClock
    from ..settings_leaderboards import LeaderboardSettings

    settings = LeaderboardSettings.from_env(settings_environ())
    return LeaderboardService(
        FirestoreLeaderboardStore(database(), firestore_client()),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.leaderboards",
        marketing=cast("MarketingGate | None", services.module("responsible_gaming")),
        pseudonym_key=None,
        mission_min_stake=settings.mission_min_stake,
    )


# Player protection, where the project has it, is built first: it refuses tournaments while excluded.
SERVICE = ModuleService(gcp_leaderboard_service, needs=("responsible_gaming",))
