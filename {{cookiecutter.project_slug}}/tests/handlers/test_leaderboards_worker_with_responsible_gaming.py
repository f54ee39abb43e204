"""The leaderboards worker with player protection: rewards refused to excluded players, acknowledged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from tests.handlers import test_leaderboards_worker as worker_tests
from tests.handlers.test_leaderboards_worker import (
    CATALOGUE,
    PLAYER,
    SOURCE,
    WALLET_SOURCE,
    score,
    wallet_body,
)
from tests.support.bus import eventbridge_body, sqs_event
from tests.support.tables import stack_environment

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.compliance import LIMITS_POLICY
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.leaderboards import (
    CATALOGUE_CURRENCY,
    DEFAULT_CATALOGUE,
    LeaderboardService,
)
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers import leaderboards

# The board's store of the worker's own tests, defined there; the ledger is the wallet's fixture
# (tests/api/fixtures_wallet.py: player protection needs the wallet, so it is always there).
store = worker_tests.store


PROTECTION_SOURCE = "{{ cookiecutter.package_name }}.responsible_gaming"


@pytest.mark.parametrize("how", ["self-excluded", "cooling-off"])
def test_a_reward_refused_for_an_excluded_player_is_acknowledged_and_not_recorded(
    store: InMemoryLeaderboardStore,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
    how: str,
) -> None:
    # Imported here: this file stays in a project without player protection (uncollected there).
    from {{ cookiecutter.package_name }}.domain.responsible_gaming import ProtectionService

    protection = ProtectionService(ledger, publisher, clock, PROTECTION_SOURCE)
    wallet = Wallet(ledger, clock, WALLET_SOURCE, protection=protection)
    service = LeaderboardService(store, publisher, clock, SOURCE, CATALOGUE, bonuses=wallet)
    if how == "self-excluded":
        protection.self_exclude(PLAYER, LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")
    else:
        protection.cool_off(PLAYER, LIMITS_POLICY.cool_off_hours, correlation_id="e")
    publisher.events.clear()
    caplog.clear()
    wins = [wallet_body("BetSettled", f"win-{n}", 100, correlation_id=f"round-{n}") for n in (1, 2)]

    result = leaderboards.process_batch(sqs_event(*wins), service)

    assert result == {"batchItemFailures": []}
    logged = [
        getattr(record, "outcome", None) for record in caplog.records if record.msg == "leaderboard record"
    ]
    assert logged == ["applied", "applied; skipped: player excluded (two-wins not rewarded)"]
    assert ledger.balance(PLAYER) is None
    assert publisher.events == []
    [mission] = service.missions(PLAYER)
    assert (mission.completed, mission.rewarded) == (True, False)
    assert score(service, "daily-wins") == 200


@pytest.mark.integration
def test_the_workers_own_wallet_refuses_rewards_to_excluded_players_on_dynamodb(
    aws_tables: dict[str, str], events_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_environment(monkeypatch, events_client, aws_tables)
    from {{ cookiecutter.package_name }}.domain.responsible_gaming import ProtectionService

    monkeypatch.setattr(leaderboards, "_service", None)  # the handler builds its own, as on Lambda
    ledger = DynamoLedgerStore(aws_tables["WalletTable"])
    now = datetime.now(UTC)
    protection = ProtectionService(ledger, InMemoryEventPublisher(), FixedClock(now), PROTECTION_SOURCE)
    protection.self_exclude(PLAYER, LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")
    [mission] = [mission for mission in DEFAULT_CATALOGUE.missions if mission.counts == "BetSettled"]
    # Enough wins each for the default catalogue's win mission to pay its reward.
    bodies = [
        eventbridge_body(
            DomainEvent(
                "BetSettled",
                WALLET_SOURCE,
                {
                    "player_id": player_id,
                    "transaction_id": f"win-{player_id}-{n}",
                    "amount": 100,
                    "currency": CATALOGUE_CURRENCY,
                    "funds": "cash",
                },
                f"round-{n}",
                now,
            )
        )
        for player_id in (PLAYER, "player-2")
        for n in range(mission.target)
    ]

    result = leaderboards.handler(sqs_event(*bodies), object())

    assert result == {"batchItemFailures": []}
    assert ledger.balance(PLAYER) is None
    rewarded = ledger.balance("player-2")
    assert rewarded is not None
    assert rewarded.bonus == mission.reward.amount
