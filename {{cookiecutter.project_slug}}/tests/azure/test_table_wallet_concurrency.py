"""Many game servers hammering one player's wallet at once, through the Wallet on Table Storage (Azurite).

The traffic and the money rules it must keep are tests/support/wallet_traffic.py's, as on DynamoDB; here
each client has its own table client, as separate function instances would have. Every write of the
player's wallet holds the balance's ETag, so racing writers lose with 412 and try again (at the version
the refusal found, then from a fresh read). Each accepted transaction has its one event in the outbox.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.support.fixtures_azure import RequestLog
from tests.support.wallet_traffic import CLIENTS, REQUESTS_PER_CLIENT, run_clients

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

SOURCE = "{{ cookiecutter.package_name }}.wallet"


def test_concurrent_clients_keep_one_players_money_exact(table_factory: Callable[..., Any]) -> None:
    requests: RequestLog = []
    table = table_factory(requests)
    clock = FixedClock(datetime(2030, 1, 1, 12, 0, tzinfo=UTC))
    # One client each, as separate function instances have.
    wallets = [
        Wallet(TableLedgerStore(table_factory(requests, name=table.table_name)), clock, SOURCE)
        for _ in range(CLIENTS)
    ]

    settled = run_clients(lambda client: wallets[client], TableLedgerStore(table))

    # One event per accepted transaction, in its ledger entry's outbox: a replay writes none.
    outbox = Counter(
        json.loads(entity["outbox"])[0]["detail"]["transaction_id"]
        for entity in table.list_entities()
        if "outbox" in entity
    )
    assert outbox == Counter({"dep-opening": 1, **settled.times_accepted})
    transactions = sum(path == "$batch" for _, path in requests)
    # Each transaction that committed nothing lost a race (412) or found its id written meanwhile (409).
    refused_at_commit = transactions - len(settled.accepted) - 1  # the opening deposit's own
    assert refused_at_commit > 0, "no write ever lost a race: the clients did not overlap"
    print(
        f"\n{CLIENTS} clients x {REQUESTS_PER_CLIENT} requests on one player: {settled.seconds:.1f} s, "
        f"{len(settled.accepted)} transactions committed, {transactions} entity group transactions sent "
        f"({refused_at_commit} refused at commit and tried again or answered as replays), "
        f"{len(requests)} requests in all, refusals {dict(settled.replies.refusals)}"
    )
