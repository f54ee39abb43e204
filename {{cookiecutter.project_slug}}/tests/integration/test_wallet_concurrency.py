"""Many game servers hammering one player's wallet at once, through the Wallet on DynamoDB (moto).

The traffic and the money rules it must keep are tests/support/wallet_traffic.py's; here the clients
share one Wallet on the DynamoDB store, and each accepted transaction's one event reaches the bus from
the table's stream.
"""

from __future__ import annotations

from collections import Counter

import pytest
from tests.support.outbox import outbox_poller
from tests.support.wallet_traffic import run_clients

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

pytestmark = pytest.mark.integration


def test_concurrent_clients_keep_one_players_money_exact(
    aws_tables: dict[str, str], clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    ledger = DynamoLedgerStore(aws_tables["WalletTable"])
    wallet = Wallet(ledger, clock, "{{ cookiecutter.package_name }}.wallet")

    settled = run_clients(lambda client: wallet, ledger)

    # One event per accepted transaction: a replay publishes nothing.
    outbox_poller(aws_tables["WalletTable"], publisher).poll()  # the events, from the table's stream
    published = Counter(event.detail["transaction_id"] for event in publisher.events)
    assert published == Counter({"dep-opening": 1, **settled.times_accepted})
