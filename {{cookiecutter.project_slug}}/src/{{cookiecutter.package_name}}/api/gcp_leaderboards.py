"""The leaderboards routes' service on GCP, built on the first request to those routes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from .context import ModuleService, Services

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..domain.leaderboards import LeaderboardService


def gcp_leaderboard_service(services: Services) -> LeaderboardService:
    """The routes' service on GCP: boards, missions and tournaments in the casino database.

    Without the wallet: the routes never pay mission rewards. With player protection, tournaments are
    refused to excluded players. The pseudonyms' key is the latest version of the secret
    LEADERBOARD_PSEUDONYM_KEY_SECRET names, read on first use and cached (adapters/secret_manager.py);
    without the name, or a secret without a version, the standings routes fail closed (no pseudonym is
    shown, never an unkeyed one).
    """
    from ..adapters.firestore_leaderboards import FirestoreLeaderboardStore
    from ..adapters.gcp_clients import database, firestore_client, settings_environ
    from ..domain.leaderboards import LeaderboardService
    from ..ports import MarketingGate
    from ..settings import SystemClock
    from ..settings_leaderboards import LeaderboardSettings

    environ = settings_environ()
    settings = LeaderboardSettings.from_env(environ)
    return LeaderboardService(
        FirestoreLeaderboardStore(database(), firestore_client()),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.leaderboards",
        marketing=cast("MarketingGate | None", services.module("responsible_gaming")),
        pseudonym_key=pseudonym_key_reader(environ),
        mission_min_stake=settings.mission_min_stake,
    )


def pseudonym_key_reader(environ: Mapping[str, str]) -> Callable[[], bytes] | None:
    """What reads the pseudonyms' key: the latest version of the secret LEADERBOARD_PSEUDONYM_KEY_SECRET
    names (infra/modules/leaderboards, named as the server callers' <CALLER>_KEY_SECRET are; never the
    key itself), or None without a name. A secret without a version, or an empty one, raises
    SecretUnavailable on use: the route answers 500."""
    from ..adapters.secret_manager import secret_reader

    name = environ.get("LEADERBOARD_PSEUDONYM_KEY_SECRET", "").strip()
    if not name:
        return None
    read = secret_reader(name, environ)
    return lambda: read().encode()


# Player protection, where the project has it, is built first: it refuses tournaments while excluded.
SERVICE = ModuleService(gcp_leaderboard_service, needs=("responsible_gaming",))
