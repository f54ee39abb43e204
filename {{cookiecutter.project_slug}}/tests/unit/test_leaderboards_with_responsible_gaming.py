"""Mission rewards with player protection: bonus money, refused while the player is excluded."""

from __future__ import annotations

import pytest
from tests.unit import test_leaderboards as leaderboard_tests
from tests.unit.test_leaderboards import CATALOGUE, SOURCE, WALLET_SOURCE, events_named, play

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.compliance import LIMITS_POLICY
from {{ cookiecutter.package_name }}.domain.leaderboards import LeaderboardService
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

# The board's store of the leaderboards' own tests, defined there; the ledger is the wallet's fixture
# (tests/api/fixtures_wallet.py: player protection needs the wallet, so it is always there).
store = leaderboard_tests.store

PROTECTION_SOURCE = "{{ cookiecutter.package_name }}.responsible_gaming"


def test_an_excluded_players_completed_mission_is_skipped_not_paid_nor_marked(
    store: InMemoryLeaderboardStore,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    # Imported here: this file stays in a project without player protection (uncollected there).
    from {{ cookiecutter.package_name }}.domain.responsible_gaming import ProtectionService

    protection = ProtectionService(
        ledger,
        publisher,
        clock,
        "{{ cookiecutter.package_name }}.responsible_gaming",
    )
    wallet = Wallet(ledger, clock, WALLET_SOURCE, protection=protection)
    service = LeaderboardService(store, publisher, clock, SOURCE, CATALOGUE, bonuses=wallet)
    protection.self_exclude("player-1", LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")

    outcomes = [service.record_play(play(f"bet-{n}", "BetPlaced"), correlation_id="c") for n in range(1, 4)]

    assert [(outcome.rewarded, outcome.excluded) for outcome in outcomes] == [
        ((), ()),
        ((), ()),
        ((), ("three-bets",)),
    ]
    assert ledger.balance("player-1") is None
    assert events_named(publisher, "MissionCompleted") == []
    assert events_named(publisher, "BonusGranted") == []
    [status] = service.missions("player-1")
    assert (status.completed, status.rewarded) == (True, False)


@pytest.mark.parametrize("exclusion", ["self_exclude", "cool_off"])
def test_an_excluded_player_cannot_enter_a_tournament(
    store: InMemoryLeaderboardStore,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
    exclusion: str,
) -> None:
    # Imported here: this file stays in a project without player protection (uncollected there).
    from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
        CoolingOff,
        ProtectionService,
        SelfExcluded,
    )

    protection = ProtectionService(ledger, publisher, clock, PROTECTION_SOURCE)
    service = LeaderboardService(store, publisher, clock, SOURCE, CATALOGUE, marketing=protection)
    if exclusion == "self_exclude":
        protection.self_exclude("player-1", LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")
    else:
        protection.cool_off("player-1", LIMITS_POLICY.cool_off_hours, correlation_id="e")
    publisher.events.clear()

    with pytest.raises((SelfExcluded, CoolingOff)) as refused:
        service.enter_tournament("new-year-cup", "player-1", correlation_id="c")

    assert refused.value.status == 403
    assert events_named(publisher, "TournamentEntered") == []
    # Another player, not excluded, enters as before.
    assert service.enter_tournament("new-year-cup", "player-2", correlation_id="c")[1] is True
