"""Attacks on leaderboards and missions (finding 11): unmasking pseudonyms, farming mission rewards.

The bets go through the API as Lambda calls it (HTTP API events into serverless_wsgi); the events the
wallet published are then scored by the leaderboards worker, as on AWS.
"""

from __future__ import annotations

import hashlib

from tests.api.http_api import PLAYER, ApiClient
from tests.support.bus import eventbridge_body, sqs_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.domain.leaderboards import (
    DEFAULT_CATALOGUE,
    DEFAULT_MISSION_MIN_STAKE,
    LeaderboardService,
    Play,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers import leaderboards

# Player ids an attacker can guess or has seen elsewhere (identity provider subjects are not secret).
CANDIDATES = [PLAYER, "player-2", "player-3", "ann", "bob"]


def test_a_pseudonym_cannot_be_unmasked_by_hashing_candidate_player_ids(api: ApiClient) -> None:
    assert (
        api.post("/wallet/deposits", {"transaction_id": "dep-1", "amount": 1_000, "currency": "EUR"}).status
        == 201
    )
    board = api.get("/leaderboards/daily-wins").json
    window = board["window"]["key"]
    mine = api.get("/leaderboards/daily-wins/me").json["player"]

    # Every way an unkeyed scheme could have made it: the board, window and id in any order.
    guesses = {
        "player-" + hashlib.sha256("#".join(parts).encode()).hexdigest()[:10]
        for candidate in CANDIDATES
        for parts in (
            ("daily-wins", window, candidate),
            (candidate, "daily-wins", window),
            (candidate,),
        )
    }
    assert mine.startswith("player-")
    assert mine not in guesses


def test_bonus_funded_and_one_cent_bets_complete_no_mission(
    api: ApiClient, wallet: Wallet, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    [mission] = [mission for mission in DEFAULT_CATALOGUE.missions if mission.counts == "BetPlaced"]
    currency = mission.reward.currency  # the jurisdiction's (CAD in Ontario)
    deposit = {"transaction_id": "dep-1", "amount": 1_000, "currency": currency}
    assert api.post("/wallet/deposits", deposit).status == 201
    wallet.grant_bonus(PLAYER, "bonus-1", Money(1_000, currency), correlation_id="promo")
    for number in range(mission.target * 2):
        bonus = {
            "transaction_id": f"bonus-{number}",
            "amount": 1,
            "currency": mission.reward.currency,
            "funds": "bonus",
            "round_id": f"bonus-round-{number}",
        }
        cent = {
            "transaction_id": f"cent-{number}",
            "amount": 1,
            "currency": mission.reward.currency,
            "round_id": f"cent-round-{number}",
        }
        assert api.post("/wallet/bets", bonus).status == 201
        assert api.post("/wallet/bets", cent).status == 201
    scored = InMemoryEventPublisher()
    service = LeaderboardService(InMemoryLeaderboardStore(), scored, clock, "boards", bonuses=wallet)

    batch = sqs_event(*[eventbridge_body(event) for event in publisher.events])
    assert leaderboards.process_batch(batch, service) == {"batchItemFailures": []}

    progress = {status.mission.mission_id: status.progress for status in service.missions(PLAYER)}
    assert progress[mission.mission_id] == 0
    assert [event.name for event in scored.events] == []
    assert wallet.balance(PLAYER).bonus == 1_000 - mission.target * 2  # type: ignore[union-attr]
    # A cash stake at the minimum does count: the rule refuses the farming, not the play.
    at_minimum = Play(
        "real-bet", "BetPlaced", PLAYER, DEFAULT_MISSION_MIN_STAKE, currency, clock.now(), "cash"
    )
    service.record_play(at_minimum, correlation_id="c")
    assert {s.mission.mission_id: s.progress for s in service.missions(PLAYER)}[mission.mission_id] == 1
