"""The promotions worker on the hosted wallet's DynamoDB ledger, on the moto server (with the wallet only)."""

from __future__ import annotations

import pytest
from tests.handlers.test_promotions_worker import PLAYER, Casino
from tests.support.outbox import outbox_poller

from {{ cookiecutter.package_name }}.adapters.dynamodb_promotions import DynamoPromotionStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.domain.money import Money


@pytest.mark.integration
def test_the_worker_grants_through_dynamodb(aws_tables: dict[str, str], clock: FixedClock) -> None:
    # Imported here: this file stays (uncollected) in a project without the wallet (the hybrid mode).
    from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore

    publisher = InMemoryEventPublisher()
    casino = Casino(
        DynamoLedgerStore(aws_tables["WalletTable"]),
        DynamoPromotionStore(aws_tables["PromotionsTable"]),
        clock,
        publisher,
        outbox_poller(aws_tables["WalletTable"], publisher).poll,
    )
    casino.wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="checkout-7")
    deposited = casino.take_bodies()

    assert casino.deliver(*deposited, *deposited) == {"batchItemFailures": []}

    assert casino.bonus() == 2_000
    assert [event.correlation_id for event in casino.named("BonusGranted")] == ["checkout-7"]
