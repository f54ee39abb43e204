"""Leaderboards, missions and tournament entries over HTTP, through serverless-wsgi into Flask."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import serverless_wsgi
from tests.api.http_api import OTHER_PLAYER, PLAYER, ApiClient, ApiResponse, http_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.api.app import Services, create_app
from {{ cookiecutter.package_name }}.domain.leaderboards import (
    BoardWindow,
    Catalogue,
    Leaderboard,
    LeaderboardService,
    Measure,
    Mission,
    Period,
    Play,
    Schedule,
    pseudonym,
)
from {{ cookiecutter.package_name }}.domain.money import Money

SOURCE = "{{ cookiecutter.package_name }}.leaderboards"
TODAY = "2030-01-01"  # the clock fixture's day
THIS_WEEK = "2030-W01"
PSEUDONYM_KEY = b"the pseudonyms' test key"

CATALOGUE = Catalogue(
    boards=(
        Leaderboard(
            "daily-wins", "Biggest winners today", "BetSettled", Measure.AMOUNT, Schedule(Period.DAILY), "EUR"
        ),
        Leaderboard(
            "weekly-cup",
            "Weekly cup",
            "BetSettled",
            Measure.AMOUNT,
            Schedule(Period.WEEKLY),
            "EUR",
            tournament=True,
        ),
        Leaderboard(
            "autumn-cup",
            "Autumn cup (over)",
            "BetSettled",
            Measure.AMOUNT,
            Schedule(Period.FIXED, datetime(2029, 9, 1, tzinfo=UTC), datetime(2029, 12, 1, tzinfo=UTC)),
            "EUR",
            tournament=True,
        ),
    ),
    missions=(
        Mission(
            "three-bets",
            "Place 3 bets today",
            "BetPlaced",
            Measure.COUNT,
            3,
            Schedule(Period.DAILY),
            Money(500, "EUR"),
        ),
    ),
)


@pytest.fixture
def board_store() -> InMemoryLeaderboardStore:
    return InMemoryLeaderboardStore()


@pytest.fixture
def leaderboard_service(
    board_store: InMemoryLeaderboardStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> LeaderboardService:
    # As aws_services builds it: the routes never pay mission rewards, so no wallet.
    return LeaderboardService(
        board_store, publisher, clock, SOURCE, CATALOGUE, pseudonym_key=lambda: PSEUDONYM_KEY
    )


@pytest.fixture
def api(services: Services, leaderboard_service: LeaderboardService) -> ApiClient:
    return ApiClient(create_app(services.with_modules(leaderboards=leaderboard_service)))


def get_with_query(api: ApiClient, path: str, query: str) -> ApiResponse:
    """A GET with a query string: the HTTP API passes it in rawQueryString, apart from the path."""
    event = http_event("GET", path)
    event["rawQueryString"] = query
    result: dict[str, Any] = serverless_wsgi.handle_request(api.app, event, api.context)
    headers = {key.lower(): value for key, value in result.get("headers", {}).items()}
    return ApiResponse(result["statusCode"], headers, json.loads(result["body"]))


def win(service: LeaderboardService, clock: FixedClock, player: str, amount: int, event_id: str) -> None:
    service.record_play(Play(event_id, "BetSettled", player, amount, "EUR", clock.now()), correlation_id="c")


@pytest.fixture
def scored(leaderboard_service: LeaderboardService, clock: FixedClock) -> None:
    for number, (player, amount) in enumerate([("ann", 500), (PLAYER, 900), ("cat", 500), ("dan", 100)]):
        win(leaderboard_service, clock, player, amount, f"win-{number}")


def test_boards_are_listed_with_their_current_windows(api: ApiClient) -> None:
    response = api.get("/leaderboards")

    assert response.status == 200
    boards = {board["board_id"]: board for board in response.json["leaderboards"]}
    assert set(boards) == {"daily-wins", "weekly-cup", "autumn-cup"}
    assert boards["daily-wins"] == {
        "board_id": "daily-wins",
        "title": "Biggest winners today",
        "scored_from": "BetSettled",
        "measure": "amount",
        "period": "daily",
        "currency": "EUR",
        "tournament": False,
        "window": {
            "key": TODAY,
            "starts_at": "2030-01-01T00:00:00+00:00",
            "ends_at": "2030-01-02T00:00:00+00:00",
        },
    }
    assert boards["weekly-cup"]["tournament"] is True
    assert boards["weekly-cup"]["window"]["key"] == THIS_WEEK


@pytest.mark.usefixtures("scored")
def test_top_lists_pseudonyms_best_first_and_marks_the_caller(api: ApiClient) -> None:
    response = get_with_query(api, "/leaderboards/daily-wins", "limit=3")

    assert response.status == 200
    today = BoardWindow("daily-wins", TODAY)
    standings = response.json["standings"]
    assert standings[0] == {
        "rank": 1,
        "player": pseudonym(today, PLAYER, PSEUDONYM_KEY),
        "score": 900,
        "you": True,
    }
    assert [(s["rank"], s["score"], s["you"]) for s in standings[1:]] == [(2, 500, False), (2, 500, False)]
    assert {s["player"] for s in standings[1:]} == {
        pseudonym(today, "ann", PSEUDONYM_KEY),
        pseudonym(today, "cat", PSEUDONYM_KEY),
    }
    assert response.json["window"]["key"] == TODAY


@pytest.mark.usefixtures("scored")
def test_top_without_limit_shows_ten(
    api: ApiClient, leaderboard_service: LeaderboardService, clock: FixedClock
) -> None:
    for number in range(12):
        win(leaderboard_service, clock, f"extra-{number}", 10 + number, f"extra-{number}")

    assert len(api.get("/leaderboards/daily-wins").json["standings"]) == 10


@pytest.mark.parametrize("limit", ["0", "101", "abc", "1.5", "-1", "", "1000000000000", "3%0A"])
def test_limit_out_of_range_is_422_naming_limit(api: ApiClient, limit: str) -> None:
    response = get_with_query(api, "/leaderboards/daily-wins", f"limit={limit}")

    assert response.status == 422
    assert response.error["field"] == "limit"


@pytest.mark.parametrize(
    ("query", "field"), [("limit=5&limit=6", "limit"), ("page=2", "page"), ("limit=5&sort=asc", "sort")]
)
def test_unknown_or_repeated_query_parameter_is_422_naming_it(api: ApiClient, query: str, field: str) -> None:
    response = get_with_query(api, "/leaderboards/daily-wins", query)

    assert response.status == 422
    assert response.error["field"] == field


@pytest.mark.parametrize(
    "path", ["/leaderboards/no-such-board", "/leaderboards/no-such-board/me", "/leaderboards/%2E%2E"]
)
def test_unknown_board_is_404(api: ApiClient, path: str) -> None:
    response = api.get(path)

    assert response.status == 404
    assert response.error["field"] == "board_id"


@pytest.mark.usefixtures("scored")
def test_my_standing_has_score_and_rank(api: ApiClient) -> None:
    mine = api.get("/leaderboards/daily-wins/me")
    cats = api.get("/leaderboards/daily-wins/me", player="cat")
    nobody = api.get("/leaderboards/daily-wins/me", player=OTHER_PLAYER)

    assert mine.status == 200
    assert (mine.json["score"], mine.json["rank"]) == (900, 1)
    assert mine.json["player"] == pseudonym(BoardWindow("daily-wins", TODAY), PLAYER, PSEUDONYM_KEY)
    assert (cats.json["score"], cats.json["rank"]) == (500, 2)
    assert (nobody.json["score"], nobody.json["rank"]) == (None, None)


def test_my_missions_show_progress_and_reward(
    api: ApiClient, leaderboard_service: LeaderboardService, clock: FixedClock
) -> None:
    for number in range(2):
        play = Play(f"bet-{number}", "BetPlaced", PLAYER, 100, "EUR", clock.now(), funds="cash")
        leaderboard_service.record_play(play, correlation_id="c")

    response = api.get("/missions/me")

    assert response.status == 200
    assert response.json["missions"] == [
        {
            "mission_id": "three-bets",
            "title": "Place 3 bets today",
            "counts": "BetPlaced",
            "measure": "count",
            "target": 3,
            "progress": 2,
            "completed": False,
            "rewarded": False,
            "reward": {"amount": 500, "currency": "EUR"},
            "window": {
                "key": TODAY,
                "starts_at": "2030-01-01T00:00:00+00:00",
                "ends_at": "2030-01-02T00:00:00+00:00",
            },
        }
    ]
    assert api.get("/missions/me", player=OTHER_PLAYER).json["missions"][0]["progress"] == 0


def test_entering_a_tournament_is_idempotent_and_announced_once(
    api: ApiClient, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    first = api.post("/tournaments/weekly-cup/entries", headers={"x-correlation-id": "enter-1"})
    clock.advance(timedelta(minutes=1))
    again = api.post("/tournaments/weekly-cup/entries", {}, headers={"x-correlation-id": "enter-2"})

    assert (first.status, again.status) == (201, 200)
    assert (
        first.json
        == again.json
        == {
            "tournament_id": "weekly-cup",
            "window": THIS_WEEK,
            "entered_at": "2030-01-01T12:00:00+00:00",
        }
    )
    entered = [event for event in publisher.events if event.name == "TournamentEntered"]
    assert len(entered) == 1
    assert (entered[0].source, entered[0].correlation_id) == (SOURCE, "enter-1")
    assert (entered[0].detail["player_id"], entered[0].detail["tournament_id"]) == (PLAYER, "weekly-cup")


def test_entered_players_score_in_the_tournament(
    api: ApiClient, leaderboard_service: LeaderboardService, clock: FixedClock
) -> None:
    api.post("/tournaments/weekly-cup/entries")
    win(leaderboard_service, clock, PLAYER, 400, "win-1")
    win(leaderboard_service, clock, OTHER_PLAYER, 900, "win-2")

    standings = api.get("/leaderboards/weekly-cup").json["standings"]

    assert [(s["score"], s["you"]) for s in standings] == [(400, True)]


@pytest.mark.parametrize("tournament_id", ["no-such-cup", "daily-wins", "bad%20id"])
def test_entering_what_is_not_a_tournament_is_404(
    api: ApiClient, publisher: InMemoryEventPublisher, tournament_id: str
) -> None:
    response = api.post(f"/tournaments/{tournament_id}/entries")

    assert response.status == 404
    assert response.error["field"] == "tournament_id"
    assert publisher.events == []


def test_entering_a_finished_tournament_is_409(api: ApiClient, publisher: InMemoryEventPublisher) -> None:
    response = api.post("/tournaments/autumn-cup/entries")

    assert response.status == 409
    assert response.error["code"] == "tournament_closed"
    assert publisher.events == []


def test_unknown_field_in_an_entry_is_422_and_enters_nobody(
    api: ApiClient, publisher: InMemoryEventPublisher, board_store: InMemoryLeaderboardStore
) -> None:
    response = api.post("/tournaments/weekly-cup/entries", {"player_id": OTHER_PLAYER})

    assert response.status == 422
    assert response.error["field"] == "player_id"
    assert publisher.events == []
    assert board_store.entries(OTHER_PLAYER, [BoardWindow("weekly-cup", THIS_WEEK)]) == {}
    assert board_store.entries(PLAYER, [BoardWindow("weekly-cup", THIS_WEEK)]) == {}


def test_malformed_json_in_an_entry_is_400(api: ApiClient, publisher: InMemoryEventPublisher) -> None:
    response = api.post("/tournaments/weekly-cup/entries", raw_body="{nope")

    assert response.status == 400
    assert response.error["code"] == "malformed_json"
    assert publisher.events == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/leaderboards"),
        ("GET", "/leaderboards/daily-wins"),
        ("GET", "/leaderboards/daily-wins/me"),
        ("GET", "/missions/me"),
        ("POST", "/tournaments/weekly-cup/entries"),
    ],
)
def test_leaderboard_routes_need_a_signed_in_player(api: ApiClient, method: str, path: str) -> None:
    response = api.request(method, path, player=None)

    assert response.status == 401
    assert response.error["code"] == "unauthorized"
