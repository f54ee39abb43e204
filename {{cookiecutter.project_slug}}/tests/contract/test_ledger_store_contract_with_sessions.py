"""A bet that needs the player's active session, against both ledger stores (the jurisdiction's rule).

The in-memory store asks its sessions; the cloud's store (`real_ledger_store_with_sessions`, from
tests/support/fixtures_<provider>_wallet.py) checks the sessions module's record in the bet's own
transaction, and the fixture says how a test records a session there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from tests.contract.test_ledger_store_contract import PLAYER, bet, cash, deposit

from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.wallet import IdScope, SessionRequired
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore

# A session as the sessions module keeps it: (player, status).
SessionRecord = tuple[str, str]


class MemorySessions:
    def __init__(self) -> None:
        self.records: dict[str, SessionRecord] = {}

    def is_active_for(self, session_id: str, player_id: str) -> bool:
        return self.records.get(session_id) == (player_id, "active")


@pytest.fixture(params=["memory", pytest.param("cloud", marks=pytest.mark.integration)])
def store_and_sessions(
    request: pytest.FixtureRequest,
) -> tuple[LedgerStore, Callable[[str, str, str], None]]:
    """A ledger store checking sessions, and how a test records a session (id, player, status)."""
    if request.param == "memory":
        sessions = MemorySessions()

        def remember(session_id: str, player_id: str, status: str) -> None:
            sessions.records[session_id] = (player_id, status)

        return InMemoryLedgerStore(sessions=sessions), remember
    real: tuple[LedgerStore, Callable[[str, str, str], None]] = request.getfixturevalue(
        "real_ledger_store_with_sessions"
    )
    return real


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
