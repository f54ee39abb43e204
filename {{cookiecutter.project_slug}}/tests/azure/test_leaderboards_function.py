"""The leaderboards app's queue function (leaderboards) on Azurite, called as the host calls it (its index).

A player's bets, as the wallet's outbox relay publishes them and Event Grid delivers them, are scored
once per event id (a redelivery scores nothing more); the bet completing a mission pays its reward into
the Wallet table once, whatever the redeliveries; a malformed message raises, so the host retries and
then poisons it.
"""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")
pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

import azure.functions as func
from tests.azure.azurite import Azurite
from tools.azure.function_apps import index_of

from {{ cookiecutter.package_name }}.adapters import azure_environment
from {{ cookiecutter.package_name }}.adapters.event_grid import cloud_event
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.table_leaderboards import TableLeaderboardStore
from {{ cookiecutter.package_name }}.adapters.table_outbox import TableOutboxRelay
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.azure_apps import leaderboards as app
from {{ cookiecutter.package_name }}.domain.leaderboards import (
    CATALOGUE_CURRENCY,
    DEFAULT_CATALOGUE,
    BoardWindow,
    Measure,
    MissionWindow,
    pseudonym,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.worker_events import MalformedEvent

NOW = datetime.now(UTC)
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
MISSION = next(mission for mission in DEFAULT_CATALOGUE.missions if mission.counts == "BetPlaced")
BOARD = next(
    board
    for board in DEFAULT_CATALOGUE.boards
    if board.scored_from == "BetPlaced" and board.measure is Measure.AMOUNT and not board.tournament
)
STAKE = 200
PSEUDONYM_SECRET = "leaderboard-pseudonym-key"


class NoDeadLetters:
    def send(self, body: str) -> None:
        raise AssertionError(f"no entry of this test is poison: {body}")


@pytest.fixture
def tables(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, Any]]:
    """Fresh Wallet and Leaderboards tables, and the leaderboards app's settings on Azurite."""
    wallet, leaderboards = table_factory(), table_factory()
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("WALLET_TABLE_NAME", wallet.table_name)
    monkeypatch.setenv("LEADERBOARDS_TABLE_NAME", leaderboards.table_name)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: InMemoryEventPublisher())
    app.leaderboard_service.cache_clear()
    yield wallet, leaderboards
    app.leaderboard_service.cache_clear()


def bets_delivered(wallet_table: Any, count: int) -> list[func.QueueMessage]:
    """`count` cash bets placed in the wallet, their BetPlaced as the relay publishes them, delivered."""
    wallet = Wallet(TableLedgerStore(wallet_table), FixedClock(NOW), WALLET_SOURCE)
    wallet.deposit("player-1", "dep-1", Money(10_000, CATALOGUE_CURRENCY), correlation_id="c-1")
    for number in range(count):
        wallet.place_bet("player-1", f"bet-{number}", Money(STAKE, CATALOGUE_CURRENCY), correlation_id="c-2")
    topic = InMemoryEventPublisher()
    TableOutboxRelay(wallet_table, topic, NoDeadLetters()).relay()
    placed = [event for event in topic.events if event.name == "BetPlaced"]
    assert len(placed) == count
    return [func.QueueMessage(body=json.dumps(cloud_event(event)).encode()) for event in placed]


def test_a_bet_is_scored_once_per_event_id(tables: tuple[Any, Any]) -> None:
    wallet_table, leaderboards_table = tables
    [bet] = bets_delivered(wallet_table, 1)
    leaderboards = index_of(app.app)["leaderboards"].call

    leaderboards(bet)
    leaderboards(bet)  # redelivered: scored once

    window = BOARD.schedule.window_at(NOW)
    assert window is not None
    board = BoardWindow(BOARD.board_id, window.key)
    assert TableLeaderboardStore(leaderboards_table).score(board, "player-1") == STAKE


def test_the_mission_a_bet_completes_pays_its_reward_once(tables: tuple[Any, Any]) -> None:
    wallet_table, leaderboards_table = tables
    bets = bets_delivered(wallet_table, MISSION.target)
    leaderboards = index_of(app.app)["leaderboards"].call

    for bet in bets:
        leaderboards(bet)
    leaderboards(bets[-1])  # the completing bet redelivered: no second reward
    leaderboards(bets[0])

    balance = TableLedgerStore(wallet_table).balance("player-1")
    assert balance is not None
    assert (balance.cash, balance.bonus) == (10_000 - MISSION.target * STAKE, MISSION.reward.amount)
    window = MISSION.schedule.window_at(NOW)
    assert window is not None
    key = MissionWindow(MISSION.mission_id, window.key)
    progress = TableLeaderboardStore(leaderboards_table).progress("player-1", [key])[key]
    assert progress.rewarded


def test_a_malformed_leaderboards_message_raises(tables: tuple[Any, Any]) -> None:
    leaderboards = index_of(app.app)["leaderboards"].call
    with pytest.raises(MalformedEvent):
        leaderboards(func.QueueMessage(body=b"{not an event"))
    with pytest.raises(MalformedEvent):
        leaderboards(
            func.QueueMessage(body=json.dumps({"type": "BetPlaced", "data": {"amount": 5}}).encode())
        )


def principal(player_id: str) -> str:
    claims = [{"typ": "sub", "val": player_id}]
    return base64.b64encode(json.dumps({"auth_typ": "players", "claims": claims}).encode()).decode()


def my_standing(monkeypatch: pytest.MonkeyPatch, vault: dict[str, str]) -> func.HttpResponse:
    """GET /leaderboards/<board>/me through the API's HTTP trigger, Key Vault holding `vault`."""
    monkeypatch.setenv("KEY_VAULT_URI", "https://casino-vault.vault.azure.net/")
    monkeypatch.setenv("LEADERBOARD_PSEUDONYM_KEY_PARAMETER", PSEUDONYM_SECRET)

    def vault_get(url: str) -> tuple[int, bytes]:
        # Key Vault's GET of a secret (it has no local emulator), answered from `vault`.
        name = url.split("/secrets/", 1)[1].split("?", 1)[0]
        if name not in vault:
            return 404, b'{"error": {"code": "SecretNotFound"}}'
        return 200, json.dumps({"value": vault[name]}).encode()

    monkeypatch.setattr(azure_environment, "_vault_get", vault_get)
    from {{ cookiecutter.package_name }}.azure_apps import api

    api = importlib.reload(api)  # its services read this test's settings on the first request
    request = func.HttpRequest(
        "GET",
        f"https://casino.example/leaderboards/{BOARD.board_id}/me",
        headers={"X-MS-CLIENT-PRINCIPAL": principal("player-1")},
        body=b"",
    )
    response: func.HttpResponse = index_of(api.app)["api"].call(request, None)
    return response


def test_the_standings_route_shows_the_pseudonym_keyed_with_the_key_vault_secret(
    tables: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    wallet_table, _ = tables
    [bet] = bets_delivered(wallet_table, 1)
    index_of(app.app)["leaderboards"].call(bet)

    answered = my_standing(monkeypatch, {PSEUDONYM_SECRET: "a-pseudonym-key"})

    assert answered.status_code == 200
    body = json.loads(answered.get_body())
    window = BOARD.schedule.window_at(NOW)
    assert window is not None
    expected = pseudonym(BoardWindow(BOARD.board_id, window.key), "player-1", b"a-pseudonym-key")
    assert (body["player"], body["score"], body["rank"]) == (expected, STAKE, 1)


def test_without_the_pseudonyms_key_the_standings_route_fails_closed(
    tables: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    wallet_table, _ = tables
    [bet] = bets_delivered(wallet_table, 1)
    index_of(app.app)["leaderboards"].call(bet)

    # No pseudonym is shown, never an unkeyed one: a 500, which the WSGI middleware raises for the host.
    with pytest.raises(Exception, match="internal_error"):
        my_standing(monkeypatch, {})
