"""The DynamoDB ledger store with player protection on: what the guards add to a money operation's write."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.contract.test_ledger_store_contract import PLAYER, START, cash, deposit, ledger_sum
from tests.integration.test_wallet_round_trips import assert_two_round_trips, counted_ledger

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.domain.guard import KycStatus, LimitKind, LimitPeriod
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.responsible_gaming import ProtectionService
from {{ cookiecutter.package_name }}.domain.wallet import Wallet


@pytest.mark.integration
def test_a_withdrawal_with_player_protection_is_exactly_one_transact_write_items(
    aws_tables: dict[str, str],
) -> None:
    ledger = counted_ledger(aws_tables["WalletTable"])
    clock, publisher = FixedClock(START), InMemoryEventPublisher()
    ledger.credit(deposit("dep-0", 1_000))
    # As deployed, with player protection: a withdrawal still carries no protection check at all.
    protection = ProtectionService(
        ledger,
        publisher,
        clock,
        "{{ cookiecutter.package_name }}.responsible_gaming",
    )
    wallet = Wallet(ledger, clock, "{{ cookiecutter.package_name }}.wallet", protection=protection)
    calls: list[str] = []
    items: list[dict[str, Any]] = []
    ledger.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    ledger.client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: items.extend(params["TransactItems"]),
    )

    reads: list[dict[str, Any]] = []
    ledger.client.meta.events.register(
        "provide-client-params.dynamodb.BatchGetItem",
        lambda params, **_: reads.extend(params["RequestItems"][aws_tables["WalletTable"]]["Keys"]),
    )

    wallet.withdraw(PLAYER, "wd-1", Money.of(400, "EUR"), correlation_id="payout-1")
    first_call, first_reads, first_items = list(calls), list(reads), list(items)
    replay = wallet.withdraw(PLAYER, "wd-1", Money.of(400, "EUR"), correlation_id="payout-1")

    # One read (the balance and the id's own entry; not the protection), then the one write.
    assert first_call == ["BatchGetItem", "TransactWriteItems"]
    assert [key["sk"]["S"] for key in first_reads] == ["BALANCE", "TX#payment#wd-1"]
    assert [next(iter(item)) for item in first_items] == ["Put", "Update"]
    # The replay is told by the read: it answers as the original, writes nothing and moves nothing.
    assert replay.replayed
    assert calls[len(first_call) :] == ["BatchGetItem"]
    assert cash(ledger) == 600 == ledger_sum(ledger)
    # Its event is in that one write (the outbox), not published on the player's path.
    outbox = json.loads(items[0]["Put"]["Item"]["outbox"]["S"])
    assert [event["name"] for event in outbox] == ["FundsWithdrawn"]
    assert publisher.events == []


@pytest.mark.integration
def test_every_money_operation_with_player_protection_is_one_read_and_one_write(
    aws_tables: dict[str, str],
) -> None:
    ledger = counted_ledger(aws_tables["WalletTable"])
    clock = FixedClock(START)
    source = "{{ cookiecutter.package_name }}.responsible_gaming"
    protection = ProtectionService(ledger, InMemoryEventPublisher(), clock, source)
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc")
    # Limits of every kind, so the guards carry caps and the write moves capped counters.
    for kind in LimitKind:
        protection.set_limit(PLAYER, kind, LimitPeriod.DAY, 1_000_000, "EUR", correlation_id="limits")
    wallet = Wallet(ledger, clock, "{{ cookiecutter.package_name }}.wallet", protection=protection)

    # The protection is in the operation's one read: no read of it of its own, and no counter read.
    assert_two_round_trips(wallet, ledger)
