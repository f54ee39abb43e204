"""Player protection on the DynamoDB wallet table through the Wallet, as the API builds it: one write per
guarded bet, and concurrent bets never pass the wager limit.

The behaviour every protection store shares is tests/contract/test_player_protection_contract.py; this file
is AWS's.
"""

from __future__ import annotations

import threading

import pytest
from tests.contract.test_player_protection_contract import NOW, PLAYER, WAGER_TODAY

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
    ExcludedFromBonuses,
    KycStatus,
    LimitExceeded,
    LimitKind,
    LimitPeriod,
    ProtectionService,
)
from {{ cookiecutter.package_name }}.domain.wallet import (
    IdScope,
    Wallet,
)


def protected_wallet(
    table: str,
) -> tuple[DynamoLedgerStore, InMemoryEventPublisher, ProtectionService, Wallet]:
    """The wallet guarded by the players' protection on one DynamoDB table, as the API builds them."""
    store = DynamoLedgerStore(table)
    clock, publisher = FixedClock(NOW), InMemoryEventPublisher()
    source = "{{ cookiecutter.package_name }}"
    protection = ProtectionService(store, publisher, clock, f"{source}.responsible_gaming")
    wallet = Wallet(store, clock, f"{source}.wallet", protection=protection)
    return store, publisher, protection, wallet


@pytest.mark.integration
def test_the_wallet_refuses_a_bonus_to_an_excluded_player_on_dynamodb(aws_tables: dict[str, str]) -> None:
    store, publisher, protection, wallet = protected_wallet(aws_tables["WalletTable"])
    wallet.grant_bonus(PLAYER, "promo-1", Money.of(500, "EUR"), correlation_id="c")
    protection.self_exclude(PLAYER, protection.policy.self_exclusion_min_months, correlation_id="c")
    publisher.events.clear()

    with pytest.raises(ExcludedFromBonuses):
        wallet.grant_bonus(PLAYER, "promo-2", Money.of(500, "EUR"), correlation_id="c")
    replay = wallet.grant_bonus(PLAYER, "promo-1", Money.of(500, "EUR"), correlation_id="c")

    assert store.entry(PLAYER, IdScope.SYSTEM, "promo-2") is None
    assert replay.replayed
    assert replay.balance is not None
    assert replay.balance.bonus == 500
    assert publisher.events == []


@pytest.mark.integration
def test_a_guarded_bonus_grant_is_one_dynamodb_write_that_checks_the_exclusion(
    aws_tables: dict[str, str],
) -> None:
    store, _, _, wallet = protected_wallet(aws_tables["WalletTable"])
    calls: list[str] = []
    items: list[dict[str, object]] = []
    store.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    store.client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: items.extend(params["TransactItems"]),
    )

    wallet.grant_bonus(PLAYER, "promo-1", Money.of(500, "EUR"), correlation_id="c")

    writes = [name for name in calls if name not in ("GetItem", "BatchGetItem", "Query")]
    assert writes == ["TransactWriteItems"]
    assert [next(iter(item)) for item in items] == ["Put", "Update", "ConditionCheck"]


@pytest.mark.integration
def test_a_guarded_bet_through_the_wallet_is_one_dynamodb_write(aws_tables: dict[str, str]) -> None:
    store, _, protection, wallet = protected_wallet(aws_tables["WalletTable"])
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="c")
    protection.set_limit(PLAYER, LimitKind.WAGER, LimitPeriod.DAY, 1_000, "EUR", correlation_id="c")
    wallet.deposit(PLAYER, "dep-0", Money.of(10_000, "EUR"), correlation_id="c")
    calls: list[str] = []
    store.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

    wallet.place_bet(PLAYER, "bet-1", Money.of(400, "EUR"), correlation_id="c")

    writes = [name for name in calls if name not in ("GetItem", "BatchGetItem", "Query")]
    assert writes == ["TransactWriteItems"]


@pytest.mark.integration
def test_concurrent_bets_never_pass_the_wager_limit(aws_tables: dict[str, str]) -> None:
    """Eight game servers betting for one player at once on DynamoDB (moto): the limit holds exactly."""
    store, _, protection, wallet = protected_wallet(aws_tables["WalletTable"])
    limit = 3_000
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="c")
    protection.set_limit(PLAYER, LimitKind.WAGER, LimitPeriod.DAY, limit, "EUR", correlation_id="c")
    wallet.deposit(PLAYER, "dep-0", Money.of(1_000_000, "EUR"), correlation_id="c")
    accepted: list[int] = []
    refused: list[int] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def game_server(number: int) -> None:
        start.wait()
        for round_ in range(6):
            stake = 100 + (number * 37 + round_ * 53) % 400
            try:
                wallet.place_bet(PLAYER, f"bet-{number}-{round_}", Money.of(stake, "EUR"), correlation_id="c")
            except LimitExceeded:
                with lock:
                    refused.append(stake)
            except Exception as error:  # anything else fails the test below
                with lock:
                    unexpected.append(error)
            else:
                with lock:
                    accepted.append(stake)

    threads = [threading.Thread(target=game_server, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert unexpected == []
    assert sum(accepted) <= limit
    # The limit was really reached: no refused stake would still have fitted.
    assert refused
    assert sum(accepted) + min(refused) > limit
    assert store.period_totals(PLAYER, [WAGER_TODAY]) == {WAGER_TODAY: sum(accepted)}
    balance = store.balance(PLAYER)
    assert balance is not None
    assert balance.cash == 1_000_000 - sum(accepted)
