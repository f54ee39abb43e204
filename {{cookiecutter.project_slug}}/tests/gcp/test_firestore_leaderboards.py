"""The Firestore leaderboard store's own requests and documents, on the gcloud Firestore emulator.

The behaviour every store shares is tests/contract/test_leaderboard_store_contract.py (run here on
Firestore through tests/support/fixtures_gcp_leaderboards.py); this file is what only Firestore's store
shows: the requests each operation costs, counted, and the marker's expiry the TTL policy relies on.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.gcp.firestore_requests import Requests
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_leaderboards import (
    EVENTS,
    MARKER_TTL,
    FirestoreLeaderboardStore,
)
from {{ cookiecutter.package_name }}.domain.leaderboards import (
    BoardWindow,
    MissionWindow,
    ScoredPlay,
)
from {{ cookiecutter.package_name }}.domain.leaderboards_reads import TournamentEntry

TODAY = BoardWindow("daily-wins", "2030-01-01")
WEEK = BoardWindow("weekly-bets", "2030-W01")
MISSION = MissionWindow("three-bets", "2030-01-01")
CUP = BoardWindow("new-year-cup", "2030-01-01")


@pytest.fixture
def store(firestore_client: Any) -> FirestoreLeaderboardStore:
    return FirestoreLeaderboardStore(DATABASE, firestore_client)


def test_each_operation_is_one_request(store: FirestoreLeaderboardStore) -> None:
    """A play (every score and step of it): one commit, applied or not. Each read: one request; a rank
    is counted by the server. A reward and an entry: one commit each, the first or not."""
    requests = Requests(store.client)
    play = ScoredPlay("event-1", "player-1", scores={TODAY: 250, WEEK: 1}, progress={MISSION: 1})
    entry = TournamentEntry(CUP.board_id, CUP.window, "player-1", datetime(2030, 1, 1, 9, tzinfo=UTC))

    seen = {
        "play": requests.of(lambda: store.record_play(play)),
        "play again": requests.of(lambda: store.record_play(play)),
        "score": requests.of(lambda: store.score(TODAY, "player-1")),
        "top": requests.of(lambda: store.top(TODAY, 10)),
        "players ahead": requests.of(lambda: store.players_ahead(TODAY, 100)),
        "reward": requests.of(lambda: store.mark_rewarded("player-1", MISSION)),
        "reward again": requests.of(lambda: store.mark_rewarded("player-1", MISSION)),
        "progress": requests.of(lambda: store.progress("player-1", [MISSION])),
        "enter": requests.of(lambda: store.enter(entry)),
        "enter again": requests.of(lambda: store.enter(entry)),
        "entries": requests.of(lambda: store.entries("player-1", [CUP])),
    }

    assert {name: calls for name, (_, calls) in seen.items()} == {
        "play": ["commit"],
        "play again": ["commit"],
        "score": ["batch_get_documents"],
        "top": ["run_query"],
        "players ahead": ["run_aggregation_query"],
        "reward": ["commit"],
        "reward again": ["commit"],
        "progress": ["batch_get_documents"],
        "enter": ["commit"],
        "enter again": ["commit"],
        "entries": ["batch_get_documents"],
    }, seen
    assert [seen[name][0] for name in ("play", "play again", "reward", "reward again")] == [
        True,
        False,
        True,
        False,
    ]
    assert seen["players ahead"][0] == 1


def test_an_applied_event_marker_expires_after_every_copy_of_the_event(
    store: FirestoreLeaderboardStore, firestore_client: Any
) -> None:
    """The TTL policy (infra/modules/leaderboards) deletes a marker at `expires_at`, a real timestamp."""
    before = datetime.now(UTC)
    store.record_play(ScoredPlay("event-1", "player-1", scores={TODAY: 5}))

    marker = firestore_client.document(f"{EVENTS}/event-1").get().to_dict()

    assert before + MARKER_TTL <= marker["expires_at"] <= datetime.now(UTC) + MARKER_TTL, marker


def test_concurrent_rewards_of_one_mission_window_have_one_winner(store: FirestoreLeaderboardStore) -> None:
    """Six workers pay the same mission reward at once: the create-only-if-absent lets one record it."""
    store.record_play(ScoredPlay("event-1", "player-1", progress={MISSION: 3}))
    barrier = threading.Barrier(6)
    results: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        recorded = store.mark_rewarded("player-1", MISSION)
        with lock:
            results.append(recorded)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 5 + [True], results
    progress = store.progress("player-1", [MISSION])[MISSION]
    assert (progress.progress, progress.rewarded) == (3, True)
