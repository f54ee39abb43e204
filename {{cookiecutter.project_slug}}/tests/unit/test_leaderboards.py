"""Leaderboards, tournaments and missions in memory: scoring, ranking, entries and rewards."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.errors import NotFound, ValidationFailed
from {{ cookiecutter.package_name }}.domain.leaderboards import (
    DEFAULT_CATALOGUE,
    DEFAULT_MISSION_MIN_STAKE,
    BoardWindow,
    Catalogue,
    Leaderboard,
    LeaderboardService,
    Measure,
    Mission,
    MissionWindow,
    Period,
    Play,
    Schedule,
    TournamentClosed,
    pseudonym,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

SOURCE = "{{ cookiecutter.package_name }}.leaderboards"
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
# The clock fixture stands at 2030-01-01 12:00 UTC: a Tuesday in ISO week 2030-W01 (from Monday 2029-12-31).
TODAY = "2030-01-01"
THIS_WEEK = "2030-W01"
CUP_START = datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
CUP_END = datetime(2030, 1, 2, 0, 0, tzinfo=UTC)
KEY = b"the pseudonyms' test key"

CATALOGUE = Catalogue(
    boards=(
        Leaderboard(
            "daily-wins", "Biggest winners today", "BetSettled", Measure.AMOUNT, Schedule(Period.DAILY), "EUR"
        ),
        Leaderboard(
            "weekly-bets", "Most bets this week", "BetPlaced", Measure.COUNT, Schedule(Period.WEEKLY), "EUR"
        ),
        Leaderboard(
            "new-year-cup",
            "New Year cup",
            "BetSettled",
            Measure.AMOUNT,
            Schedule(Period.FIXED, CUP_START, CUP_END),
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


class FlakyBonuses:
    """A wallet whose first grant fails, as if DynamoDB were throttled: the redelivery must pay once."""

    def __init__(self, wallet: Wallet) -> None:
        self.wallet = wallet
        self.failures_left = 1

    def grant_bonus(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> object:
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("throttled")
        return self.wallet.grant_bonus(player_id, transaction_id, money, correlation_id=correlation_id)


@pytest.fixture
def store() -> InMemoryLeaderboardStore:
    return InMemoryLeaderboardStore()


@pytest.fixture
def ledger(publisher: InMemoryEventPublisher) -> InMemoryLedgerStore:
    # Committed entries' events reach the publisher, as the stream publisher carries them to the bus.
    return InMemoryLedgerStore(relay=publisher)


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock) -> Wallet:
    return Wallet(ledger, clock, WALLET_SOURCE)


@pytest.fixture
def service(
    store: InMemoryLeaderboardStore, wallet: Wallet, publisher: InMemoryEventPublisher, clock: FixedClock
) -> LeaderboardService:
    return LeaderboardService(store, publisher, clock, SOURCE, CATALOGUE, bonuses=wallet)


def play(
    event_id: str,
    event: str = "BetSettled",
    *,
    player: str = "player-1",
    amount: int = 100,
    currency: str = "EUR",
    at: datetime = datetime(2030, 1, 1, 12, 0, tzinfo=UTC),
    funds: str | None = "cash",
) -> Play:
    return Play(event_id, event, player, amount, currency, at, funds)


def events_named(publisher: InMemoryEventPublisher, name: str) -> list[dict[str, object]]:
    return [event.detail for event in publisher.events if event.name == name]


# Windows --------------------------------------------------------------------------------------


def test_daily_window_is_the_utc_day() -> None:
    window = Schedule(Period.DAILY).current(datetime(2030, 3, 4, 23, 59, tzinfo=UTC))

    assert window.key == "2030-03-04"
    assert (window.starts_at, window.ends_at) == (
        datetime(2030, 3, 4, tzinfo=UTC),
        datetime(2030, 3, 5, tzinfo=UTC),
    )


def test_weekly_window_is_the_iso_week_across_the_new_year() -> None:
    window = Schedule(Period.WEEKLY).current(datetime(2030, 1, 1, 12, tzinfo=UTC))

    assert window.key == THIS_WEEK
    assert window.starts_at == datetime(2029, 12, 31, tzinfo=UTC)
    assert window.ends_at == datetime(2030, 1, 7, tzinfo=UTC)


def test_fixed_window_holds_only_its_own_time() -> None:
    schedule = Schedule(Period.FIXED, CUP_START, CUP_END)

    assert schedule.window_at(CUP_START) is not None
    assert schedule.window_at(CUP_END) is None
    assert schedule.window_at(CUP_START - timedelta(seconds=1)) is None
    assert schedule.current(CUP_END + timedelta(days=3)).key == TODAY


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: Schedule(Period.FIXED, CUP_START), id="fixed-without-end"),
        pytest.param(lambda: Schedule(Period.FIXED, CUP_END, CUP_START), id="fixed-ending-first"),
        pytest.param(lambda: Schedule(Period.DAILY, CUP_START, CUP_END), id="daily-with-times"),
        pytest.param(
            lambda: Leaderboard("x", "x", "BetRolledBack", Measure.COUNT, Schedule(Period.DAILY)),
            id="bad-event",
        ),
        pytest.param(
            lambda: Leaderboard("Not An Id", "x", "BetPlaced", Measure.COUNT, Schedule(Period.DAILY)),
            id="bad-id",
        ),
        pytest.param(
            lambda: Catalogue(boards=(CATALOGUE.boards[0], CATALOGUE.boards[0])), id="repeated-board-id"
        ),
        pytest.param(
            lambda: Mission("m", "m", "BetPlaced", Measure.COUNT, 0, Schedule(Period.DAILY), Money(1, "EUR")),
            id="target-zero",
        ),
    ],
)
def test_impossible_definitions_are_refused(make: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        make()  # type: ignore[operator]


def test_default_catalogue_is_valid_and_has_a_tournament_and_missions() -> None:
    assert any(board.tournament for board in DEFAULT_CATALOGUE.boards)
    assert {board.scored_from for board in DEFAULT_CATALOGUE.boards} == {
        "BetPlaced",
        "BetSettled",
        "BonusGranted",
    }
    assert DEFAULT_CATALOGUE.missions


# Scores ---------------------------------------------------------------------------------------


def test_win_adds_its_amount_to_the_days_board(service: LeaderboardService) -> None:
    service.record_play(play("e1", amount=250), correlation_id="c")
    service.record_play(play("e2", amount=100), correlation_id="c")

    assert service.standing("daily-wins", "player-1").score == 350


def test_count_board_adds_one_per_event(service: LeaderboardService) -> None:
    for number in range(3):
        service.record_play(play(f"bet-{number}", "BetPlaced", amount=999), correlation_id="c")

    assert service.standing("weekly-bets", "player-1").score == 3


def test_replayed_event_scores_once(service: LeaderboardService) -> None:
    first = service.record_play(play("e1", amount=250), correlation_id="c")
    again = service.record_play(play("e1", amount=250), correlation_id="c")

    assert (first.applied, again.applied) == (True, False)
    assert service.standing("daily-wins", "player-1").score == 250


def test_other_currency_and_unscored_events_change_nothing(
    service: LeaderboardService, store: InMemoryLeaderboardStore
) -> None:
    dollars = service.record_play(play("e1", currency="USD"), correlation_id="c")
    bonus = service.record_play(play("e2", "BonusGranted"), correlation_id="c")

    assert (dollars.scored, bonus.scored) == (False, False)
    assert service.standing("daily-wins", "player-1").score is None


def test_play_counts_in_the_window_it_happened_in_not_when_it_is_processed(
    service: LeaderboardService, clock: FixedClock
) -> None:
    yesterday = datetime(2029, 12, 31, 23, 59, tzinfo=UTC)

    service.record_play(play("late", amount=700, at=yesterday), correlation_id="c")

    assert service.standing("daily-wins", "player-1").score is None
    clock.advance(timedelta(days=-1))
    assert service.standing("daily-wins", "player-1").score == 700


# Top-N and rank -------------------------------------------------------------------------------


def scores(service: LeaderboardService, **by_player: int) -> None:
    for player, amount in by_player.items():
        service.record_play(play(f"win-{player}", player=player, amount=amount), correlation_id="c")


def test_top_lists_the_best_first_and_ties_share_a_rank(service: LeaderboardService) -> None:
    scores(service, ann=500, bob=900, cat=500, dan=100)

    top = service.top("daily-wins", 10)

    assert [(s.player_id, s.score, s.rank) for s in top.standings] == [
        ("bob", 900, 1),
        ("ann", 500, 2),
        ("cat", 500, 2),
        ("dan", 100, 4),
    ]
    assert top.window.key == TODAY


def test_top_stops_at_the_limit(service: LeaderboardService) -> None:
    scores(service, ann=500, bob=900, cat=300)

    assert [s.player_id for s in service.top("daily-wins", 2).standings] == ["bob", "ann"]


def test_rank_is_one_more_than_the_players_scoring_more(service: LeaderboardService) -> None:
    scores(service, ann=500, bob=900, cat=500, dan=100)

    assert (service.standing("daily-wins", "cat").score, service.standing("daily-wins", "cat").rank) == (
        500,
        2,
    )
    assert service.standing("daily-wins", "dan").rank == 4
    assert service.standing("daily-wins", "eve").rank is None


@pytest.mark.parametrize("limit", [0, 101, -1, True])
def test_limit_out_of_range_is_refused_naming_limit(service: LeaderboardService, limit: int) -> None:
    with pytest.raises(ValidationFailed) as refused:
        service.top("daily-wins", limit)

    assert refused.value.field == "limit"


def test_unknown_board_is_not_found(service: LeaderboardService) -> None:
    with pytest.raises(NotFound) as missing:
        service.top("no-such-board")

    assert missing.value.field == "board_id"


def test_pseudonym_is_stable_per_board_window_and_differs_across_boards() -> None:
    today = BoardWindow("daily-wins", TODAY)

    assert pseudonym(today, "player-1", KEY) == pseudonym(today, "player-1", KEY)
    assert pseudonym(today, "player-1", KEY) != pseudonym(
        BoardWindow("weekly-bets", THIS_WEEK), "player-1", KEY
    )
    assert "player-1" not in pseudonym(today, "player-1", KEY)


def test_pseudonym_is_keyed_so_hashing_candidate_ids_finds_nobody() -> None:
    today = BoardWindow("daily-wins", TODAY)
    unkeyed = hashlib.sha256(f"daily-wins#{TODAY}#player-1".encode()).hexdigest()[:10]

    assert pseudonym(today, "player-1", KEY) != f"player-{unkeyed}"
    assert pseudonym(today, "player-1", KEY) != pseudonym(today, "player-1", b"another key")
    with pytest.raises(ValueError, match="key"):
        pseudonym(today, "player-1", b"")


def test_the_service_shows_no_pseudonym_without_its_key(
    store: InMemoryLeaderboardStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    service = LeaderboardService(store, publisher, clock, SOURCE, CATALOGUE)

    with pytest.raises(RuntimeError, match="key"):
        service.pseudonym(BoardWindow("daily-wins", TODAY), "player-1")


# Missions count paid play ---------------------------------------------------------------------


def test_bonus_funded_and_tiny_stakes_do_not_advance_missions(service: LeaderboardService) -> None:
    service.record_play(play("bonus-bet", "BetPlaced", funds="bonus", amount=1_000), correlation_id="c")
    service.record_play(
        play("penny-bet", "BetPlaced", amount=DEFAULT_MISSION_MIN_STAKE - 1), correlation_id="c"
    )
    service.record_play(play("no-funds", "BetPlaced", funds=None), correlation_id="c")

    [status] = service.missions("player-1")
    assert status.progress == 0


def test_cash_stakes_at_the_minimum_advance_missions(service: LeaderboardService) -> None:
    for number in range(3):
        service.record_play(
            play(f"bet-{number}", "BetPlaced", amount=DEFAULT_MISSION_MIN_STAKE), correlation_id="c"
        )

    [status] = service.missions("player-1")
    assert (status.progress, status.completed, status.rewarded) == (3, True, True)


def test_the_minimum_stake_is_a_setting_of_the_service(
    store: InMemoryLeaderboardStore, wallet: Wallet, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    service = LeaderboardService(
        store, publisher, clock, SOURCE, CATALOGUE, bonuses=wallet, mission_min_stake=500
    )

    service.record_play(play("bet-1", "BetPlaced", amount=499), correlation_id="c")
    service.record_play(play("bet-2", "BetPlaced", amount=500), correlation_id="c")

    [status] = service.missions("player-1")
    assert status.progress == 1


# Tournaments ----------------------------------------------------------------------------------


def test_tournament_counts_only_play_after_the_entry(
    service: LeaderboardService, clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    service.record_play(play("before", amount=400, at=clock.now() - timedelta(hours=1)), correlation_id="c")
    service.enter_tournament("new-year-cup", "player-1", correlation_id="enter-1")
    service.record_play(play("after", amount=300, at=clock.now()), correlation_id="c")
    service.record_play(play("other", player="player-2", amount=900), correlation_id="c")

    assert service.standing("new-year-cup", "player-1").score == 300
    assert service.standing("new-year-cup", "player-2").score is None
    assert service.standing("daily-wins", "player-2").score == 900


def test_entering_twice_keeps_the_first_entry_and_announces_it_once(
    service: LeaderboardService, clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    first, new = service.enter_tournament("new-year-cup", "player-1", correlation_id="enter-1")
    clock.advance(timedelta(minutes=5))
    again, new_again = service.enter_tournament("new-year-cup", "player-1", correlation_id="enter-2")

    assert (new, new_again) == (True, False)
    assert again.entered_at == first.entered_at
    entered = [event for event in publisher.events if event.name == "TournamentEntered"]
    assert len(entered) == 1
    assert entered[0].source == SOURCE
    assert entered[0].correlation_id == "enter-1"
    assert entered[0].detail["player_id"] == "player-1"
    assert entered[0].detail["tournament_id"] == "new-year-cup"


@pytest.mark.parametrize("tournament_id", ["no-such-cup", "daily-wins"])
def test_only_tournaments_can_be_entered(service: LeaderboardService, tournament_id: str) -> None:
    with pytest.raises(NotFound) as missing:
        service.enter_tournament(tournament_id, "player-1", correlation_id="c")

    assert missing.value.field == "tournament_id"


def test_a_finished_tournament_takes_no_entries(
    service: LeaderboardService, clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    clock.advance(timedelta(days=1))

    with pytest.raises(TournamentClosed):
        service.enter_tournament("new-year-cup", "player-1", correlation_id="c")
    assert publisher.events == []


def test_a_tournament_can_be_entered_before_it_starts(service: LeaderboardService, clock: FixedClock) -> None:
    clock.advance(timedelta(days=-2))

    entry, new = service.enter_tournament("new-year-cup", "player-1", correlation_id="c")

    assert new is True
    assert entry.window == TODAY


# Missions -------------------------------------------------------------------------------------


def test_mission_completed_pays_the_reward_once_with_the_events_correlation_id(
    service: LeaderboardService, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> None:
    outcomes = [
        service.record_play(play(f"bet-{n}", "BetPlaced"), correlation_id=f"round-{n}") for n in range(1, 5)
    ]

    assert [outcome.rewarded for outcome in outcomes] == [(), (), ("three-bets",), ()]
    balance = ledger.balance("player-1")
    assert balance is not None
    assert balance.bonus == 500
    completed = [event for event in publisher.events if event.name == "MissionCompleted"]
    granted = [event for event in publisher.events if event.name == "BonusGranted"]
    assert len(completed) == len(granted) == 1
    assert completed[0].correlation_id == granted[0].correlation_id == "round-3"
    assert completed[0].detail["transaction_id"] == granted[0].detail["transaction_id"]
    assert completed[0].detail["transaction_id"] == f"mission:three-bets:player-1:{TODAY}"


def test_replayed_completing_event_pays_nothing_more(
    service: LeaderboardService, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> None:
    for n in range(1, 4):
        service.record_play(play(f"bet-{n}", "BetPlaced"), correlation_id="c")

    replay = service.record_play(play("bet-3", "BetPlaced"), correlation_id="c")

    assert (replay.applied, replay.rewarded) == (False, ())
    assert ledger.balance("player-1").bonus == 500  # type: ignore[union-attr]
    assert len(events_named(publisher, "MissionCompleted")) == 1


def test_reward_that_failed_is_paid_once_by_the_redelivery(
    store: InMemoryLeaderboardStore,
    wallet: Wallet,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    service = LeaderboardService(store, publisher, clock, SOURCE, CATALOGUE, bonuses=FlakyBonuses(wallet))
    service.record_play(play("bet-1", "BetPlaced"), correlation_id="c")
    service.record_play(play("bet-2", "BetPlaced"), correlation_id="c")
    with pytest.raises(ConnectionError):
        service.record_play(play("bet-3", "BetPlaced"), correlation_id="round-3")

    redelivered = service.record_play(play("bet-3", "BetPlaced"), correlation_id="round-3")
    later = service.record_play(play("bet-4", "BetPlaced"), correlation_id="round-4")

    assert (redelivered.applied, redelivered.rewarded) == (False, ("three-bets",))
    assert later.rewarded == ()
    assert ledger.balance("player-1").bonus == 500  # type: ignore[union-attr]
    assert [event.correlation_id for event in publisher.events if event.name == "MissionCompleted"] == [
        "round-3"
    ]


def test_a_service_without_the_wallet_refuses_to_reward_instead_of_skipping(
    store: InMemoryLeaderboardStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    service = LeaderboardService(store, publisher, clock, SOURCE, CATALOGUE)
    for n in range(2):
        service.record_play(play(f"bet-{n}", "BetPlaced"), correlation_id="c")

    with pytest.raises(RuntimeError):
        service.record_play(play("bet-2", "BetPlaced"), correlation_id="c")
    [status] = service.missions("player-1")
    assert (status.completed, status.rewarded) == (True, False)
    assert events_named(publisher, "MissionCompleted") == []


def test_missions_show_progress_and_restart_each_window(
    service: LeaderboardService, clock: FixedClock
) -> None:
    service.record_play(play("bet-1", "BetPlaced"), correlation_id="c")
    service.record_play(play("bet-2", "BetPlaced"), correlation_id="c")

    [today] = service.missions("player-1")
    clock.advance(timedelta(days=1))
    [tomorrow] = service.missions("player-1")

    assert (today.window.key, today.progress, today.completed, today.rewarded) == (TODAY, 2, False, False)
    assert (tomorrow.window.key, tomorrow.progress) == ("2030-01-02", 0)


def test_completed_mission_shows_as_rewarded(service: LeaderboardService) -> None:
    for n in range(3):
        service.record_play(play(f"bet-{n}", "BetPlaced"), correlation_id="c")

    [status] = service.missions("player-1")

    assert (status.progress, status.completed, status.rewarded) == (3, True, True)


def test_reward_transaction_id_names_mission_player_and_window() -> None:
    mission = CATALOGUE.missions[0]

    assert mission.reward_transaction_id("player-1", TODAY) == f"mission:three-bets:player-1:{TODAY}"
    assert MissionWindow("three-bets", TODAY) != MissionWindow("three-bets", "2030-01-02")


def test_leaderboard_settings_read_the_minimum_stake_and_the_key_parameters_name() -> None:
    from {{ cookiecutter.package_name }}.settings_leaderboards import LeaderboardSettings

    env = {"LEADERBOARDS_TABLE_NAME": "boards", "LEADERBOARD_PSEUDONYM_KEY_PARAMETER": "/casino/dev/key"}
    assert LeaderboardSettings.from_env(env) == LeaderboardSettings("boards", "/casino/dev/key", 100)
    assert LeaderboardSettings.from_env({**env, "MISSION_MIN_STAKE": "250"}).mission_min_stake == 250


@pytest.mark.parametrize("raw", ["0", "-5", "1.5", "lots"])
def test_a_bad_minimum_stake_is_refused_naming_the_variable(raw: str) -> None:
    from {{ cookiecutter.package_name }}.settings import SettingsError
    from {{ cookiecutter.package_name }}.settings_leaderboards import LeaderboardSettings

    with pytest.raises(SettingsError, match="MISSION_MIN_STAKE"):
        LeaderboardSettings.from_env({"LEADERBOARDS_TABLE_NAME": "boards", "MISSION_MIN_STAKE": raw})
