"""The leaderboards module's function app: wallet events scored on the boards, missions advanced.

Event Grid delivers BetPlaced, BetSettled and BonusGranted (infra/modules/leaderboards) to the queue
`leaderboards-leaderboards`; each event counts once per event id and a completed mission is rewarded
once (domain/leaderboards.py), whatever the redeliveries. A money worker: a mission reward is a bonus
paid into the hosted wallet on the Wallet table (the app's role there), built on the first reward
(workers/bonus_wallet.py), and refused to an excluded player where the project has player protection
(an outcome, not a failure). In the hybrid mode (module operator_wallet) the reward is credited by the
operator's wallet instead, signed with the Key Vault key of azure_bonuses.py. A malformed message
raises: the host retries it, then poisons it.
"""

# azure-functions' trigger decorators are untyped; the functions they register are typed here.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

import azure.functions as func

from ..adapters.azure_environment import STORAGE_CONNECTION
from ..observability import flush_metrics
from ..workers.leaderboards import score_play
from .queues import handle

if TYPE_CHECKING:
    from ..domain.leaderboards import LeaderboardService

app = func.FunctionApp()


@cache
def leaderboard_service() -> LeaderboardService:
    """The service on the Leaderboards table, paying mission rewards into the Wallet table (built on use)."""
    from ..adapters.azure_environment import core_settings, table, topic_publisher
    from ..adapters.table_leaderboards import TableLeaderboardStore
    from ..azure_bonuses import operator_wallet_on_azure, table_ledger
    from ..domain.leaderboards import LeaderboardService
    from ..settings import SystemClock
    from ..settings_leaderboards import LeaderboardSettings
    from ..workers.bonus_wallet import mission_rewards

    settings = LeaderboardSettings.from_env(os.environ)
    publisher, clock = topic_publisher(os.environ), SystemClock()
    source = core_settings(os.environ).event_source
    return LeaderboardService(
        TableLeaderboardStore(table(os.environ, settings.leaderboards_table_name)),
        publisher,
        clock,
        f"{source}.leaderboards",
        mission_min_stake=settings.mission_min_stake,
        # Mission rewards are bonus money, paid when the first mission completes: most plays only
        # move scores, and load no wallet.
        bonuses=mission_rewards(table_ledger, publisher, clock, source, operator_wallet_on_azure),
    )


@app.function_name("leaderboards")
@app.queue_trigger(arg_name="message", queue_name="leaderboards-leaderboards", connection=STORAGE_CONNECTION)
def leaderboards(message: func.QueueMessage) -> None:
    """Score one wallet event (a malformed one raises: retried, then poisoned)."""
    try:
        handle(
            message.get_body(),
            # Without a usable correlation id of its own, the event's id traces what the play causes.
            lambda event: score_play(event, leaderboard_service(), event.text("event_id")),
            "leaderboard record",
        )
    finally:
        flush_metrics()
