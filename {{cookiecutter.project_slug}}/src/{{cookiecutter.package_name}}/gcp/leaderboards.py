"""The leaderboards function: a pushed wallet event scored on the boards and counted for missions.

A mission reward is granted on the wallet's Firestore ledger (its BonusGranted goes out with the ledger
entry, through the outbox relay). In hybrid mode the operator's wallet credits it, over signed HTTPS
(gcp_bonuses.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..gcp_bonuses import firestore_ledger, operator_wallet_on_gcp
from ..gcp_push import answer, worker_step
from ..worker_events import BusEvent
from ..workers.bonus_wallet import mission_rewards
from ..workers.leaderboards import score_play

if TYPE_CHECKING:
    from flask import Request

    from ..domain.leaderboards import LeaderboardService

_service: LeaderboardService | None = None


def leaderboards(request: Request) -> tuple[str, int]:
    """The leaderboards function (functions-framework, signature type http): one Pub/Sub push."""
    return answer(request.get_json(silent=True), worker_step("leaderboard record", _apply))


def _apply(event: BusEvent) -> str:
    # Without a usable correlation id of its own, the event's id traces what the play causes.
    return score_play(event, _leaderboard_service(), event.text("event_id"))


def _leaderboard_service() -> LeaderboardService:
    """The service on GCP, built on the first push and reused while the instance lives."""
    global _service  # one set of clients per instance
    if _service is None:
        from ..adapters.firestore_leaderboards import FirestoreLeaderboardStore
        from ..adapters.gcp_clients import (
            database,
            event_publisher,
            firestore_client,
            gcp_settings,
            settings_environ,
        )
        from ..domain.leaderboards import LeaderboardService
        from ..settings import SystemClock
        from ..settings_leaderboards import LeaderboardSettings

        settings = LeaderboardSettings.from_env(settings_environ())
        publisher, clock, source = event_publisher(), SystemClock(), gcp_settings().event_source
        _service = LeaderboardService(
            FirestoreLeaderboardStore(database(), firestore_client()),
            publisher,
            clock,
            f"{source}.leaderboards",
            mission_min_stake=settings.mission_min_stake,
            # Mission rewards are bonus money, paid when the first mission completes: most plays only
            # move scores.
            bonuses=mission_rewards(firestore_ledger, publisher, clock, source, operator_wallet_on_gcp),
        )
    return _service
