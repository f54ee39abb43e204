"""The Firestore ledger store with player protection on: the guards' checks and counters in its transaction.

The behaviour every store shares is tests/contract/test_ledger_store_contract.py; this file is GCP's.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.gcp.test_firestore_wallet import PLAYER, START, Requests, money_operations
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_wallet import FirestoreLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.domain.guard import (
    KycStatus,
    LimitKind,
    LimitPeriod,
    counter_id,
    period_key,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
    LimitExceeded,
    ProtectionService,
)
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

SOURCE = "{{ cookiecutter.package_name }}.responsible_gaming"


@pytest.mark.integration
def test_every_money_operation_with_player_protection_is_one_read_and_one_transaction(
    firestore_client: Any,
) -> None:
    store = FirestoreLedgerStore(DATABASE, firestore_client)
    clock = FixedClock(START)
    protection = ProtectionService(store, InMemoryEventPublisher(), clock, SOURCE)
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc")
    # Limits of every kind, so the guards carry caps and the transaction moves capped counters.
    for kind in LimitKind:
        protection.set_limit(PLAYER, kind, LimitPeriod.DAY, 1_000_000, "EUR", correlation_id="limits")
    wallet = Wallet(store, clock, "{{ cookiecutter.package_name }}.wallet", protection=protection)
    requests = Requests(store.client)
    seen: dict[str, list[str]] = {}

    for name, operation in money_operations(wallet, "t1"):
        _, seen[name] = requests.of(operation)
        _, seen[f"{name} (replay)"] = requests.of(operation)

    # The protection is in the snapshot's one read, the counters in the transaction's: none of its own.
    transaction = ["begin_transaction", "batch_get_documents", "commit"]
    for name, calls in seen.items():
        expected = (
            ["batch_get_documents"] if name.endswith("(replay)") else ["batch_get_documents", *transaction]
        )
        assert calls == expected, (name, seen)
    day = period_key(LimitPeriod.DAY, START)
    totals = store.period_totals(PLAYER, [counter_id(kind, LimitPeriod.DAY, day) for kind in LimitKind])
    # Deposit 5,000; stakes 200 + 100 with the 100 rolled back: wagered 200; lost 200 - 350 won.
    assert totals[counter_id(LimitKind.DEPOSIT, LimitPeriod.DAY, day)] == 5_000
    assert totals[counter_id(LimitKind.WAGER, LimitPeriod.DAY, day)] == 200
    assert totals[counter_id(LimitKind.LOSS, LimitPeriod.DAY, day)] == -150
    assert wallet.reconcile(PLAYER).balanced


@pytest.mark.integration
def test_a_deposit_over_its_limit_writes_nothing(firestore_client: Any) -> None:
    store = FirestoreLedgerStore(DATABASE, firestore_client)
    clock = FixedClock(START)
    protection = ProtectionService(store, InMemoryEventPublisher(), clock, SOURCE)
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc")
    protection.set_limit(PLAYER, LimitKind.DEPOSIT, LimitPeriod.DAY, 1_000, "EUR", correlation_id="limits")
    wallet = Wallet(store, clock, "{{ cookiecutter.package_name }}.wallet", protection=protection)

    wallet.deposit(PLAYER, "dep-1", Money.of(800, "EUR"), correlation_id="c")
    with pytest.raises(LimitExceeded):
        wallet.deposit(PLAYER, "dep-2", Money.of(201, "EUR"), correlation_id="c")

    day = period_key(LimitPeriod.DAY, START)
    assert store.period_totals(PLAYER, [counter_id(LimitKind.DEPOSIT, LimitPeriod.DAY, day)]) == {
        counter_id(LimitKind.DEPOSIT, LimitPeriod.DAY, day): 800
    }
    assert [entry.transaction_id for entry in store.entries(PLAYER)] == ["dep-1"]
