"""One suite for every LeaderboardStore: the chosen cloud's adapter must behave like the in-memory one.

The cloud's store comes from its fixtures (tests/support/real_stores.py); what only one cloud's store does
(its requests, its records) is tested in that store's own file.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from tests.support.real_stores import store_params

from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.domain.leaderboards import (
    BoardWindow,
    MissionProgress,
    MissionWindow,
    ScoredPlay,
)
from {{ cookiecutter.package_name }}.domain.leaderboards_reads import TournamentEntry
from {{ cookiecutter.package_name }}.ports.leaderboards import LeaderboardStore

TODAY = BoardWindow("daily-wins", "2030-01-01")
TOMORROW = BoardWindow("daily-wins", "2030-01-02")
BETS = BoardWindow("weekly-bets", "2030-W01")
MISSION = MissionWindow("three-bets", "2030-01-01")
CUP = BoardWindow("new-year-cup", "2030-01-01")
ENTERED_AT = datetime(2030, 1, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(params=store_params("real_leaderboard_store"))
def boards(request: pytest.FixtureRequest) -> LeaderboardStore:
    if request.param == "memory":
        return InMemoryLeaderboardStore()
    store: LeaderboardStore = request.getfixturevalue("real_leaderboard_store")
    return store


def win(event_id: str, player: str, points: int, board: BoardWindow = TODAY) -> ScoredPlay:
    return ScoredPlay(event_id, player, scores={board: points})


def test_unknown_score_is_none_and_an_empty_board_has_no_top(boards: LeaderboardStore) -> None:
    assert boards.score(TODAY, "player-1") is None
    assert boards.top(TODAY, 10) == []
    assert boards.players_ahead(TODAY, 0) == 0


def test_play_adds_its_scores_and_steps_together(boards: LeaderboardStore) -> None:
    play = ScoredPlay("event-1", "player-1", scores={TODAY: 250, BETS: 1}, progress={MISSION: 1})

    assert boards.record_play(play) is True

    assert boards.score(TODAY, "player-1") == 250
    assert boards.score(BETS, "player-1") == 1
    assert boards.progress("player-1", [MISSION]) == {MISSION: MissionProgress(progress=1, rewarded=False)}


def test_replayed_play_changes_nothing(boards: LeaderboardStore) -> None:
    play = ScoredPlay("event-1", "player-1", scores={TODAY: 250}, progress={MISSION: 1})
    boards.record_play(play)

    assert boards.record_play(play) is False

    assert boards.score(TODAY, "player-1") == 250
    assert boards.progress("player-1", [MISSION])[MISSION].progress == 1


def test_scores_add_up_per_player_and_window(boards: LeaderboardStore) -> None:
    boards.record_play(win("e1", "player-1", 100))
    boards.record_play(win("e2", "player-1", 150))
    boards.record_play(win("e3", "player-2", 70))
    boards.record_play(win("e4", "player-1", 999, TOMORROW))

    assert boards.score(TODAY, "player-1") == 250
    assert boards.score(TODAY, "player-2") == 70
    assert boards.score(TOMORROW, "player-1") == 999
    assert boards.top(TOMORROW, 10) == [("player-1", 999)]


def test_top_is_highest_first_up_to_the_limit(boards: LeaderboardStore) -> None:
    for number, (player, points) in enumerate([("ann", 500), ("bob", 900), ("cat", 300), ("dan", 700)]):
        boards.record_play(win(f"e{number}", player, points))

    assert boards.top(TODAY, 3) == [("bob", 900), ("dan", 700), ("ann", 500)]


def test_ties_are_all_listed_with_their_score(boards: LeaderboardStore) -> None:
    for number, player in enumerate(["ann", "bob", "cat"]):
        boards.record_play(win(f"e{number}", player, 400))

    top = boards.top(TODAY, 10)

    assert sorted(top) == [("ann", 400), ("bob", 400), ("cat", 400)]


def test_players_ahead_counts_only_higher_scores(boards: LeaderboardStore) -> None:
    for number, (player, points) in enumerate([("ann", 500), ("bob", 900), ("cat", 500), ("dan", 100)]):
        boards.record_play(win(f"e{number}", player, points))

    assert boards.players_ahead(TODAY, 900) == 0
    assert boards.players_ahead(TODAY, 500) == 1
    assert boards.players_ahead(TODAY, 100) == 3
    assert boards.players_ahead(TOMORROW, 100) == 0


def test_progress_lists_only_missions_with_progress(boards: LeaderboardStore) -> None:
    other = MissionWindow("three-bets", "2030-01-02")
    boards.record_play(ScoredPlay("e1", "player-1", progress={MISSION: 2}))

    assert boards.progress("player-1", [MISSION, other]) == {MISSION: MissionProgress(2, False)}
    assert boards.progress("player-2", [MISSION]) == {}


def test_reward_is_marked_once_and_progress_goes_on(boards: LeaderboardStore) -> None:
    boards.record_play(ScoredPlay("e1", "player-1", progress={MISSION: 3}))

    assert boards.mark_rewarded("player-1", MISSION) is True
    assert boards.mark_rewarded("player-1", MISSION) is False
    boards.record_play(ScoredPlay("e2", "player-1", progress={MISSION: 1}))

    assert boards.progress("player-1", [MISSION]) == {MISSION: MissionProgress(4, rewarded=True)}


def test_entering_twice_keeps_the_first_entry(boards: LeaderboardStore) -> None:
    first = TournamentEntry(CUP.board_id, CUP.window, "player-1", ENTERED_AT)
    later = TournamentEntry(CUP.board_id, CUP.window, "player-1", ENTERED_AT + timedelta(hours=1))

    assert boards.enter(first) is True
    assert boards.enter(later) is False

    assert boards.entries("player-1", [CUP, TODAY]) == {CUP: ENTERED_AT}
    assert boards.entries("player-2", [CUP]) == {}


def test_concurrent_redeliveries_count_each_play_once(boards: LeaderboardStore) -> None:
    plays = [ScoredPlay(f"e{n}", "player-1", scores={TODAY: 10}, progress={MISSION: 1}) for n in range(12)]
    applied: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        for play in plays:
            result = boards.record_play(play)
            with lock:
                applied.append(result)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert applied.count(True) == len(plays)
    assert boards.score(TODAY, "player-1") == 120
    assert boards.progress("player-1", [MISSION])[MISSION].progress == 12
