"""One suite for every PromotionStore: the chosen cloud's adapter must behave like the in-memory one.

The cloud's store comes from its fixtures (tests/support/real_stores.py); what only one cloud's store does
(its requests, its records) is tested in that store's own file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from tests.support.real_stores import store_params

from {{ cookiecutter.package_name }}.adapters.memory_promotions import InMemoryPromotionStore
from {{ cookiecutter.package_name }}.domain.promotions import (
    BonusGrant,
    CountedStake,
    WageringContention,
    WageringProgress,
)
from {{ cookiecutter.package_name }}.ports.promotions import PromotionStore

PLAYER = "player-1"
OTHER_PLAYER = "player-2"
GRANTED_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
LATER = GRANTED_AT + timedelta(hours=1)
DAY = "2030-01-01"


@pytest.fixture(params=store_params("real_promotion_store"))
def promotions(request: pytest.FixtureRequest) -> PromotionStore:
    if request.param == "memory":
        return InMemoryPromotionStore()
    store: PromotionStore = request.getfixturevalue("real_promotion_store")
    return store


def grant(promotion_id: str = "welcome", player_id: str = PLAYER, required: int = 1_000) -> BonusGrant:
    return BonusGrant(
        player_id=player_id,
        promotion_id=promotion_id,
        transaction_id=f"promo:{promotion_id}:{player_id}",
        amount=100,
        currency="EUR",
        wagering_required=required,
        wagered=0,
        granted_at=GRANTED_AT,
    )


def stored(promotions: PromotionStore, promotion_id: str = "welcome") -> BonusGrant:
    found = promotions.grant(PLAYER, promotion_id)
    assert found is not None
    return found


def test_unknown_grant_is_none(promotions: PromotionStore) -> None:
    assert promotions.grant(PLAYER, "welcome") is None
    assert promotions.grants(PLAYER) == []
    assert promotions.counted_stake(PLAYER, "bet-1") is None


def test_recorded_grant_reads_back_equal(promotions: PromotionStore) -> None:
    other = grant("free")

    assert promotions.record_grant(grant()) is True
    assert promotions.record_grant(other) is True

    assert promotions.grant(PLAYER, "welcome") == grant()
    assert sorted(promotions.grants(PLAYER), key=lambda item: item.promotion_id) == [other, grant()]


def test_a_second_grant_of_one_promotion_is_refused_and_the_first_stands(promotions: PromotionStore) -> None:
    promotions.record_grant(grant(required=1_000))

    assert promotions.record_grant(grant(required=9_999)) is False
    assert stored(promotions).wagering_required == 1_000


def test_grants_are_per_player(promotions: PromotionStore) -> None:
    promotions.record_grant(grant(player_id=OTHER_PLAYER))

    assert promotions.grants(PLAYER) == []
    assert promotions.record_grant(grant()) is True
    assert [item.player_id for item in promotions.grants(OTHER_PLAYER)] == [OTHER_PLAYER]


def test_a_completed_grant_reads_back_with_its_completion(promotions: PromotionStore) -> None:
    free = replace(grant("free", required=0), completed_at=GRANTED_AT)

    promotions.record_grant(free)

    assert stored(promotions, "free") == free


def test_the_first_deposit_is_claimed_by_one_event(promotions: PromotionStore) -> None:
    assert promotions.claim_first_deposit(PLAYER, "event-1") is True
    # The same event again is still the first (a redelivery must be able to finish the grant).
    assert promotions.claim_first_deposit(PLAYER, "event-1") is True
    assert promotions.claim_first_deposit(PLAYER, "event-2") is False
    assert promotions.claim_first_deposit(OTHER_PLAYER, "event-2") is True


def test_bets_are_counted_once_per_event_per_day_and_promotion(promotions: PromotionStore) -> None:
    assert promotions.count_bet(PLAYER, "ten-bets", DAY, "event-1") == 1
    assert promotions.count_bet(PLAYER, "ten-bets", DAY, "event-2") == 2
    assert promotions.count_bet(PLAYER, "ten-bets", DAY, "event-1") == 2
    assert promotions.count_bet(PLAYER, "ten-bets", "2030-01-02", "event-3") == 1
    assert promotions.count_bet(PLAYER, "five-bets", DAY, "event-1") == 1
    assert promotions.count_bet(OTHER_PLAYER, "ten-bets", DAY, "event-1") == 1


def test_concurrent_redeliveries_count_each_bet_once(promotions: PromotionStore) -> None:
    event_ids = [f"event-{number}" for number in range(15)]
    barrier = threading.Barrier(5)

    def worker() -> None:
        barrier.wait()
        for event_id in event_ids:
            promotions.count_bet(PLAYER, "ten-bets", DAY, event_id)

    run_together(worker, 5)

    assert promotions.count_bet(PLAYER, "ten-bets", DAY, "event-0") == len(event_ids)


def step(promotion_id: str, before: int, after: int, required: int = 1_000) -> WageringProgress:
    return WageringProgress(promotion_id, before, after, required)


def test_a_counted_stake_moves_every_grant_it_names(promotions: PromotionStore) -> None:
    promotions.record_grant(grant("welcome", required=300))
    promotions.record_grant(grant("tournament", required=1_000))
    stake = CountedStake("bet-1", "event-1", completed=("welcome",))

    counted = promotions.count_stake(
        PLAYER, stake, [step("welcome", 0, 300, 300), step("tournament", 0, 200)], LATER
    )

    assert counted == stake
    assert promotions.counted_stake(PLAYER, "bet-1") == stake
    assert (stored(promotions, "welcome").wagered, stored(promotions, "welcome").completed_at) == (300, LATER)
    assert (stored(promotions, "tournament").wagered, stored(promotions, "tournament").completed_at) == (
        200,
        None,
    )


def test_a_bets_stake_is_counted_once(promotions: PromotionStore) -> None:
    promotions.record_grant(grant())
    first = CountedStake("bet-1", "event-1")
    promotions.count_stake(PLAYER, first, [step("welcome", 0, 300)], LATER)

    # A second win on the bet (another event), read before the first was counted.
    again = promotions.count_stake(PLAYER, CountedStake("bet-1", "event-2"), [step("welcome", 0, 300)], LATER)

    assert again == first
    assert stored(promotions).wagered == 300


def test_a_stake_read_against_moved_wagering_is_refused_and_changes_nothing(
    promotions: PromotionStore,
) -> None:
    promotions.record_grant(grant("welcome"))
    promotions.record_grant(grant("tournament"))
    promotions.count_stake(PLAYER, CountedStake("bet-1", "event-1"), [step("welcome", 0, 300)], LATER)

    with pytest.raises(WageringContention):
        promotions.count_stake(
            PLAYER,
            CountedStake("bet-2", "event-2"),
            [step("tournament", 0, 100), step("welcome", 0, 100)],
            LATER,
        )

    assert promotions.counted_stake(PLAYER, "bet-2") is None
    assert (stored(promotions, "welcome").wagered, stored(promotions, "tournament").wagered) == (300, 0)
    # Read again, the same stake is counted.
    promotions.count_stake(PLAYER, CountedStake("bet-2", "event-2"), [step("welcome", 300, 400)], LATER)
    assert stored(promotions, "welcome").wagered == 400


def test_a_completed_requirement_does_not_move_again(promotions: PromotionStore) -> None:
    promotions.record_grant(grant(required=300))
    promotions.count_stake(
        PLAYER, CountedStake("bet-1", "event-1", ("welcome",)), [step("welcome", 0, 300, 300)], LATER
    )

    with pytest.raises(WageringContention):
        promotions.count_stake(
            PLAYER, CountedStake("bet-2", "event-2"), [step("welcome", 300, 400, 300)], LATER
        )
    assert stored(promotions).wagered == 300


def test_concurrent_stakes_of_one_player_are_all_counted(promotions: PromotionStore) -> None:
    promotions.record_grant(grant(required=100_000))
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def settle(worker: int) -> None:
        barrier.wait()
        for number in range(5):
            bet = f"bet-{worker}-{number}"
            # What the service does: read, propose, and read again when another stake got there first.
            for _ in range(50):
                wagered = stored(promotions).wagered
                try:
                    promotions.count_stake(
                        PLAYER,
                        CountedStake(bet, f"event-{bet}"),
                        [step("welcome", wagered, wagered + 10)],
                        LATER,
                    )
                    break
                except WageringContention:
                    continue
            else:
                errors.append(AssertionError(f"{bet} was never counted"))

    run_together(settle, 4, with_index=True)

    assert errors == []
    assert stored(promotions).wagered == 4 * 5 * 10


def run_together(target: Callable[..., None], count: int, *, with_index: bool = False) -> None:
    threads = [threading.Thread(target=target, args=(index,) if with_index else ()) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
