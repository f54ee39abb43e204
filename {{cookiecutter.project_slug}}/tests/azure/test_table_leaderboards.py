"""The leaderboards' Table Storage store on Azurite: the requests each operation costs, and the boards'
copies.

The store's behaviour (scores, top-N, ranks, missions, entries, a play once per event) is the shared
contract suite's (tests/contract/test_leaderboard_store_contract.py); this file pins the requests the
module docstring of adapters/table_leaderboards.py counts, and that a board's copy never steps back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.support.fixtures_azure import RequestLog, operations_of

from {{ cookiecutter.package_name }}.adapters.table_leaderboards import TableLeaderboardStore
from {{ cookiecutter.package_name }}.domain.leaderboards import (
    BoardWindow,
    MissionWindow,
    ScoredPlay,
)
from {{ cookiecutter.package_name }}.domain.leaderboards_reads import TournamentEntry

TODAY = BoardWindow("daily/wins", "2030-01-01")
BETS = BoardWindow("weekly-bets", "2030-W01")
MISSION = MissionWindow("three-bets", "2030-01-01")


def test_each_leaderboard_operation_costs_the_requests_the_store_documents(
    table_factory: Callable[..., Any],
) -> None:
    requests: RequestLog = []
    boards = TableLeaderboardStore(table_factory(requests))
    costs: dict[str, list[str]] = {}

    def cost(name: str, operation: Callable[[], object]) -> None:
        requests.clear()
        operation()
        costs[name] = operations_of(requests)

    play = ScoredPlay("event-1", "player#1", scores={TODAY: 250, BETS: 1}, progress={MISSION: 1})
    cost("record_play", lambda: boards.record_play(play))
    cost("record_play, replayed", lambda: boards.record_play(play))
    cost("score", lambda: boards.score(TODAY, "player#1"))
    cost("top", lambda: boards.top(TODAY, 10))
    cost("players_ahead", lambda: boards.players_ahead(TODAY, 0))
    cost("progress", lambda: boards.progress("player#1", [MISSION]))
    cost("mark_rewarded", lambda: boards.mark_rewarded("player#1", MISSION))
    entry = TournamentEntry("cup", "2030-01-01", "player#1", datetime(2030, 1, 1, tzinfo=UTC))
    cost("enter", lambda: boards.enter(entry))
    cost("entries", lambda: boards.entries("player#1", [BoardWindow("cup", "2030-01-01")]))

    assert costs == {
        "record_play": ["query", "transaction", "point read", "transaction", "point read", "transaction"],
        # Applied already: the copies are read again and, being current, left as they are.
        "record_play, replayed": ["query", "transaction", "query", "point read", "point read"],
        "score": ["point read"],
        "top": ["query"],
        "players_ahead": ["query"],
        "progress": ["query"],
        "mark_rewarded": ["point read", "write"],
        "enter": ["write"],
        "entries": ["query"],
    }
    assert boards.top(TODAY, 10) == [("player#1", 250)]
    assert boards.players_ahead(TODAY, 0) == 1


def test_a_boards_copy_never_steps_back_to_an_older_score(table_factory: Callable[..., Any]) -> None:
    boards = TableLeaderboardStore(table_factory())
    boards.record_play(ScoredPlay("event-1", "ann", scores={TODAY: 100}))
    boards.record_play(ScoredPlay("event-2", "ann", scores={TODAY: 50}))

    # A late copy of the first play's score (version 1) arrives after the second's (version 2).
    boards._copy_score(TODAY, "ann", 100, 1)

    assert boards.top(TODAY, 10) == [("ann", 150)]
    assert boards.players_ahead(TODAY, 149) == 1
