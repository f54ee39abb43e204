"""A bet that needs the player's active session, against both ledger stores (the jurisdiction's rule).

The DynamoDB store checks the session item of the sessions table (pk=SESSION#<id>, sk=SESSION,
player_id, status) in the bet's own TransactWriteItems; the in-memory store asks its sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import boto3
import pytest
from tests.contract.test_ledger_store_contract import PLAYER, START, bet, cash, deposit

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import IdScope, SessionRequired, Wallet
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore

# A session as the sessions module keeps it: (player, status).
SessionRecord = tuple[str, str]


class MemorySessions:
    def __init__(self) -> None:
        self.records: dict[str, SessionRecord] = {}

    def is_active_for(self, session_id: str, player_id: str) -> bool:
        return self.records.get(session_id) == (player_id, "active")


@pytest.fixture(params=["memory", pytest.param("dynamodb", marks=pytest.mark.integration)])
def store_and_sessions(
    request: pytest.FixtureRequest,
) -> tuple[LedgerStore, Callable[[str, str, str], None]]:
    """A ledger store checking sessions, and how a test records a session (id, player, status)."""
    if request.param == "memory":
        sessions = MemorySessions()

        def remember(session_id: str, player_id: str, status: str) -> None:
            sessions.records[session_id] = (player_id, status)

        return InMemoryLedgerStore(sessions=sessions), remember
    tables = request.getfixturevalue("aws_tables")
    client: Any = request.getfixturevalue("dynamodb_client")

    def put(session_id: str, player_id: str, status: str) -> None:
        item = {"pk": f"SESSION#{session_id}", "sk": "SESSION", "player_id": player_id, "status": status}
        client.put_item(
            TableName=tables["SessionsTable"], Item={name: {"S": value} for name, value in item.items()}
        )

    return DynamoLedgerStore(tables["WalletTable"], sessions_table=tables["SessionsTable"]), put


@pytest.mark.parametrize(
    ("recorded", "sent"),
    [
        pytest.param(None, "s-1", id="missing"),
        pytest.param(("s-1", PLAYER, "ended"), "s-1", id="ended"),
        pytest.param(("s-1", "player-2", "active"), "s-1", id="another-players"),
    ],
)
def test_a_bet_outside_an_active_session_of_the_player_writes_nothing(
    store_and_sessions: tuple[LedgerStore, Callable[[str, str, str], None]],
    recorded: tuple[str, str, str] | None,
    sent: str,
) -> None:
    ledger, remember = store_and_sessions
    if recorded is not None:
        remember(*recorded)
    ledger.credit(deposit("dep-1", 1_000))

    with pytest.raises(SessionRequired):
        ledger.debit(replace(bet("bet-1", 100), session_check=sent))

    assert cash(ledger) == 1_000
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-1") is None


def test_a_bet_in_the_players_active_session_is_written(
    store_and_sessions: tuple[LedgerStore, Callable[[str, str, str], None]],
) -> None:
    ledger, remember = store_and_sessions
    remember("s-1", PLAYER, "active")
    ledger.credit(deposit("dep-1", 1_000))

    ledger.debit(replace(bet("bet-1", 100), session_check="s-1"))

    assert cash(ledger) == 900
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-1") is not None


@pytest.mark.integration
def test_a_bet_checked_against_its_session_is_still_one_read_and_one_write(
    aws_tables: dict[str, str], dynamodb_client: Any
) -> None:
    item = {"pk": "SESSION#s-1", "sk": "SESSION", "player_id": PLAYER, "status": "active"}
    dynamodb_client.put_item(
        TableName=aws_tables["SessionsTable"], Item={name: {"S": value} for name, value in item.items()}
    )
    # A client of its own: the counting hook must not reach the process's shared client.
    ledger = DynamoLedgerStore(
        aws_tables["WalletTable"], boto3.client("dynamodb"), sessions_table=aws_tables["SessionsTable"]
    )
    wallet = Wallet(
        ledger,
        FixedClock(START),
        "{{ cookiecutter.package_name }}.wallet",
        bet_needs_session=True,
    )
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="c")
    calls: list[str] = []
    checked: list[str] = []
    ledger.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    ledger.client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: checked.extend(
            item["ConditionCheck"]["TableName"]
            for item in params["TransactItems"]
            if "ConditionCheck" in item
        ),
    )

    receipt = wallet.place_bet(PLAYER, "bet-1", Money.of(100, "EUR"), correlation_id="c", session_id="s-1")

    # The session is a ConditionCheck of the bet's own transaction, not a request of its own.
    assert calls == ["BatchGetItem", "TransactWriteItems"]
    assert checked == [aws_tables["SessionsTable"]]
    assert receipt.balance is not None
    assert receipt.balance.cash == 900 == cash(ledger)
