"""Leaderboards, tournaments and missions: scores and goal progress from the wallet's events.

Boards and missions are data (a `Catalogue`). Every wallet event the worker receives becomes a `Play`;
the play adds points to the boards and steps to the missions that count its event type, in the
window (day, ISO week or a fixed tournament window) the play happened in. All of one play's increments
are applied once per event id, together. A mission whose progress reaches its target is rewarded with
bonus money through the wallet, under a transaction id made of the mission, player and window, so a
replay can never pay twice.
A reward is bonus money, so marketing: with player protection the wallet refuses it while the player is
self-excluded or cooling off. That is a final outcome of the play (`excluded`), not a failure: nothing is
paid, announced or marked as paid. A tournament is marketing too: with player protection, a self-excluded
or cooling-off player cannot enter one.
Missions count only play the player paid for: cash stakes of at least the minimum stake, and wins of
cash bets, so bonus-funded or 1-cent bets cannot farm rewards.
Players appear on boards under a keyed pseudonym (HMAC-SHA256 with a secret from the secret store): without
the key, hashing candidate player ids finds nobody.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from ..compliance import CURRENCY
from .errors import Conflict, NotFound, ValidationFailed
from .events import DomainEvent
from .money import Money

if TYPE_CHECKING:
    from ..ports import Clock, EventPublisher, MarketingGate
    from ..ports.leaderboards import BonusGranter, LeaderboardStore
    from .leaderboards_reads import BoardStandings, MissionStatus, PlayerStanding, TournamentEntry

# The wallet events that can score: stakes, wins and bonus grants.
SCORED_EVENTS = frozenset({"BetPlaced", "BetSettled", "BonusGranted"})
# Top-N is asked for with 1 <= N <= MAX_TOP.
MAX_TOP = 100
DEFAULT_TOP = 10
# One play is ONE DynamoDB transaction (at most 100 items): its marker plus one item per board and
# mission that counts the play's event type.
MAX_COUNTERS_PER_EVENT = 99
# Board, mission and tournament ids: letters, digits and - _ (they appear in URLs and keys).
CATALOGUE_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# The least cash stake (minor units of the house currency) a mission counts: MISSION_MIN_STAKE in the
# functions' environment (settings_leaderboards.py), 1.00 by default.
DEFAULT_MISSION_MIN_STAKE = 100
# The funds of play that missions count (the wallet's events carry `funds`: cash or bonus).
CASH = "cash"
# The currency of the default catalogue's amounts and rewards: the jurisdiction's house currency
# (compliance.CURRENCY); the wallet holds one currency per player.
CATALOGUE_CURRENCY = CURRENCY


class TournamentClosed(Conflict):
    """The tournament's window is over: no more entries."""

    code = "tournament_closed"


class Measure(StrEnum):
    """What a board or mission adds up from each event it counts."""

    AMOUNT = "amount"  # the event's amount in minor units
    COUNT = "count"  # one per event


class Period(StrEnum):
    """How a board's or mission's windows follow each other."""

    DAILY = "daily"  # UTC days
    WEEKLY = "weekly"  # ISO weeks, Monday 00:00 UTC
    FIXED = "fixed"  # one window from starts_at to ends_at (a tournament)


@dataclass(frozen=True, slots=True)
class Window:
    """One stretch of time a board or mission counts in; `key` names it in storage and the API."""

    key: str
    starts_at: datetime
    ends_at: datetime

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


@dataclass(frozen=True, slots=True)
class Schedule:
    """The windows of a board or mission: every day, every week, or once (from starts_at to ends_at)."""

    period: Period
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.period is Period.FIXED:
            if self.starts_at is None or self.ends_at is None:
                raise ValueError("a fixed schedule needs starts_at and ends_at")
            if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
                raise ValueError("a fixed schedule needs timezone-aware times")
            if self.starts_at >= self.ends_at:
                raise ValueError("a fixed schedule must end after it starts")
        elif self.starts_at is not None or self.ends_at is not None:
            raise ValueError("only a fixed schedule has starts_at and ends_at")

    def current(self, now: datetime) -> Window:
        """The window to show at `now`: today's, this week's, or the fixed one (even before or after it)."""
        if self.period is Period.FIXED:
            assert self.starts_at is not None
            assert self.ends_at is not None
            starts_at = self.starts_at.astimezone(UTC)
            return Window(starts_at.date().isoformat(), starts_at, self.ends_at.astimezone(UTC))
        moment = now.astimezone(UTC)
        day = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
        if self.period is Period.DAILY:
            return Window(day.date().isoformat(), day, day + timedelta(days=1))
        monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        return Window(f"{year}-W{week:02d}", monday, monday + timedelta(days=7))

    def window_at(self, moment: datetime) -> Window | None:
        """The window `moment` falls in, or None (before or after a fixed window)."""
        window = self.current(moment)
        return window if window.contains(moment) else None


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """A ranking of players by what one event type adds up to in each window.

    A tournament (`tournament=True`) scores only players who entered the window before they played.
    Amount boards compare minor units of one currency, so every board names its currency; events in
    other currencies are not scored.
    """

    board_id: str
    title: str
    scored_from: str
    measure: Measure
    schedule: Schedule
    currency: str = CATALOGUE_CURRENCY
    tournament: bool = False

    def __post_init__(self) -> None:
        _check_definition(self.board_id, self.scored_from, self.currency)

    def points(self, play: Play) -> int:
        return play.amount if self.measure is Measure.AMOUNT else 1


@dataclass(frozen=True, slots=True)
class Mission:
    """A goal per player and window, e.g. "place 10 bets today", rewarded once with bonus money.

    Only events in the reward's currency count, so the player's wallet (one currency) can take the reward.
    """

    mission_id: str
    title: str
    counts: str
    measure: Measure
    target: int
    schedule: Schedule
    reward: Money

    def __post_init__(self) -> None:
        _check_definition(self.mission_id, self.counts, self.reward.currency)
        if self.target < 1:
            raise ValueError(f"mission {self.mission_id}: the target must be at least 1")
        Money.of(self.reward.amount, self.reward.currency, field="reward")

    def steps(self, play: Play) -> int:
        return play.amount if self.measure is Measure.AMOUNT else 1

    def reward_transaction_id(self, player_id: str, window: str) -> str:
        """The wallet transaction of the reward: one per mission, player and window, whatever replays."""
        return f"mission:{self.mission_id}:{player_id}:{window}"


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every board and mission the worker scores and the API shows."""

    boards: tuple[Leaderboard, ...] = ()
    missions: tuple[Mission, ...] = ()

    def __post_init__(self) -> None:
        board_ids = [board.board_id for board in self.boards]
        mission_ids = [mission.mission_id for mission in self.missions]
        for ids, kind in ((board_ids, "board"), (mission_ids, "mission")):
            repeated = sorted({one for one in ids if ids.count(one) > 1})
            if repeated:
                raise ValueError(f"{kind} ids must be unique: {', '.join(repeated)}")
        for event in SCORED_EVENTS:
            counters = sum(1 for board in self.boards if board.scored_from == event) + sum(
                1 for mission in self.missions if mission.counts == event
            )
            if counters > MAX_COUNTERS_PER_EVENT:
                raise ValueError(f"{event} feeds {counters} boards and missions; at most 99 fit one write")

    def board(self, board_id: str) -> Leaderboard | None:
        return next((board for board in self.boards if board.board_id == board_id), None)


def _check_definition(identifier: str, event: str, currency: str) -> None:
    if not CATALOGUE_ID_RE.fullmatch(identifier):
        raise ValueError(f"{identifier!r}: ids are 1-64 lower-case letters, digits, - or _")
    if event not in SCORED_EVENTS:
        raise ValueError(f"{identifier}: {event!r} is not one of {sorted(SCORED_EVENTS)}")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(f"{identifier}: {currency!r} is not an ISO 4217 currency code")


# The boards and missions of a new project: edit them here (ids are kept in storage, so rename with care).
DEFAULT_CATALOGUE = Catalogue(
    boards=(
        Leaderboard(
            "daily-wins", "Biggest winners today", "BetSettled", Measure.AMOUNT, Schedule(Period.DAILY)
        ),
        Leaderboard(
            "weekly-wagered", "Most wagered this week", "BetPlaced", Measure.AMOUNT, Schedule(Period.WEEKLY)
        ),
        Leaderboard(
            "weekly-bonus",
            "Most bonus won this week",
            "BonusGranted",
            Measure.AMOUNT,
            Schedule(Period.WEEKLY),
        ),
        Leaderboard(
            "weekly-cup",
            "Weekly cup: wins of the players who entered",
            "BetSettled",
            Measure.AMOUNT,
            Schedule(Period.WEEKLY),
            tournament=True,
        ),
    ),
    missions=(
        Mission(
            "daily-10-bets",
            "Place 10 bets today",
            "BetPlaced",
            Measure.COUNT,
            10,
            Schedule(Period.DAILY),
            Money(500, CATALOGUE_CURRENCY),
        ),
        Mission(
            "weekly-3-wins",
            "Win 3 times this week",
            "BetSettled",
            Measure.COUNT,
            3,
            Schedule(Period.WEEKLY),
            Money(1_000, CATALOGUE_CURRENCY),
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Play:
    """One wallet event as the leaderboards see it."""

    event_id: str
    event: str
    player_id: str
    amount: int
    currency: str
    occurred_at: datetime
    # The balance the stake came from (a win: its bet's), "cash" or "bonus"; None: not a stake or a win.
    funds: str | None = None


@dataclass(frozen=True, slots=True)
class BoardWindow:
    """One window of one board (a tournament's window is what players enter)."""

    board_id: str
    window: str


@dataclass(frozen=True, slots=True)
class MissionWindow:
    """One window of one mission."""

    mission_id: str
    window: str


@dataclass(frozen=True, slots=True)
class ScoredPlay:
    """Every increment of one play, applied together once per `event_id`."""

    event_id: str
    player_id: str
    scores: Mapping[BoardWindow, int] = field(default_factory=dict)
    progress: Mapping[MissionWindow, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MissionProgress:
    """A player's progress in one mission window, and whether its reward has been paid."""

    progress: int = 0
    rewarded: bool = False


@dataclass(frozen=True, slots=True)
class PlayOutcome:
    """What one play changed: whether its increments were new, and the missions rewarded now."""

    scored: bool
    applied: bool
    rewarded: tuple[str, ...] = ()
    # Missions completed whose reward the wallet refused: the player is self-excluded or cooling off.
    excluded: tuple[str, ...] = ()


class LeaderboardService:
    """Scores plays, ranks players, enters tournaments and rewards completed missions."""

    def __init__(
        self,
        store: LeaderboardStore,
        publisher: EventPublisher,
        clock: Clock,
        source: str,
        catalogue: Catalogue = DEFAULT_CATALOGUE,
        *,
        bonuses: BonusGranter | None = None,
        marketing: MarketingGate | None = None,
        pseudonym_key: Callable[[], bytes] | None = None,
        mission_min_stake: int = DEFAULT_MISSION_MIN_STAKE,
    ) -> None:
        if mission_min_stake < 1:
            raise ValueError(f"mission_min_stake must be 1 or more, not {mission_min_stake}")
        self._store = store
        # Player protection, where the project has it: no tournament entry while excluded.
        self._marketing = marketing
        # The secret the pseudonyms are keyed with (read from the secret store, cached by the caller).
        self._pseudonym_key = pseudonym_key
        self._mission_min_stake = mission_min_stake
        # The wallet, in the worker: mission rewards are bonus money. The API only reads missions.
        self._bonuses = bonuses
        self._publisher = publisher
        self._clock = clock
        self._source = source  # EventBridge Source of this module's events, e.g. "<package>.leaderboards"
        self.catalogue = catalogue

    def current_boards(self) -> list[tuple[Leaderboard, Window]]:
        """Every board with the window it shows now."""
        now = self._clock.now()
        return [(board, board.schedule.current(now)) for board in self.catalogue.boards]

    def top(self, board_id: str, limit: int = DEFAULT_TOP) -> BoardStandings:
        """The `limit` best players of the board's current window, best first."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_TOP:
            raise ValidationFailed(f"limit must be a whole number from 1 to {MAX_TOP}", field="limit")
        from .leaderboards_reads import BoardStandings, Standing  # what only the API reads

        board, window = self._board(board_id)
        scores = self._store.top(BoardWindow(board.board_id, window.key), limit)
        standings: list[Standing] = []
        for position, (player_id, score) in enumerate(scores, start=1):
            # Competition ranking: a tie takes the rank of the first player with that score.
            tied = bool(standings) and standings[-1].score == score
            standings.append(Standing(player_id, score, standings[-1].rank if tied else position))
        return BoardStandings(board, window, standings)

    def standing(self, board_id: str, player_id: str) -> PlayerStanding:
        """The player's score and rank in the board's current window."""
        from .leaderboards_reads import PlayerStanding

        board, window = self._board(board_id)
        key = BoardWindow(board.board_id, window.key)
        score = self._store.score(key, player_id)
        if score is None:
            return PlayerStanding(board, window, None, None)
        return PlayerStanding(board, window, score, self._store.players_ahead(key, score) + 1)

    def missions(self, player_id: str) -> list[MissionStatus]:
        """Every mission's current window with the player's progress."""
        from .leaderboards_reads import MissionStatus

        now = self._clock.now()
        windows = [(mission, mission.schedule.current(now)) for mission in self.catalogue.missions]
        keys = [MissionWindow(mission.mission_id, window.key) for mission, window in windows]
        progress = self._store.progress(player_id, keys) if keys else {}
        statuses = []
        for (mission, window), key in zip(windows, keys, strict=True):
            found = progress.get(key, MissionProgress())
            statuses.append(MissionStatus(mission, window, found.progress, found.rewarded))
        return statuses

    def enter_tournament(
        self, tournament_id: str, player_id: str, *, correlation_id: str
    ) -> tuple[TournamentEntry, bool]:
        """Enter the player into the tournament's current window; True if new, False if already entered.

        A new entry publishes TournamentEntered; entering again returns the first entry and publishes nothing.
        """
        from .leaderboards_reads import TournamentEntry

        if self._marketing is not None:
            # A tournament is marketing: refused while the player is self-excluded or cooling off.
            self._marketing.check_marketing(player_id)
        board = self.catalogue.board(tournament_id)
        if board is None or not board.tournament:
            raise NotFound("no such tournament", field="tournament_id")
        now = self._clock.now()
        window = board.schedule.current(now)
        if now >= window.ends_at:
            raise TournamentClosed("the tournament has ended", field="tournament_id")
        entry = TournamentEntry(board.board_id, window.key, player_id, now)
        if not self._store.enter(entry):
            existing = self._store.entries(player_id, [BoardWindow(board.board_id, window.key)])
            entered_at = existing.get(BoardWindow(board.board_id, window.key), now)
            return TournamentEntry(board.board_id, window.key, player_id, entered_at), False
        self._publisher.publish(
            [
                DomainEvent(
                    name="TournamentEntered",
                    source=self._source,
                    detail={
                        "player_id": player_id,
                        "tournament_id": board.board_id,
                        "window": window.key,
                        "entered_at": now.isoformat(),
                    },
                    correlation_id=correlation_id,
                    occurred_at=now,
                )
            ]
        )
        return entry, True

    def record_play(self, play: Play, *, correlation_id: str) -> PlayOutcome:
        """Score the play on its boards and missions once per event id; reward missions it completes.

        A redelivered play changes no score, but still pays a completed mission whose reward did not go
        through the first time (the reward is idempotent by its transaction id).
        """
        scores = self._scores(play)
        missions = {
            MissionWindow(mission.mission_id, window.key): mission
            for mission in self.catalogue.missions
            if mission.counts == play.event
            and mission.reward.currency == play.currency
            and self._counts_for_missions(play)
            for window in [mission.schedule.window_at(play.occurred_at)]
            if window is not None
        }
        if not scores and not missions:
            return PlayOutcome(scored=False, applied=False)
        progress = {key: mission.steps(play) for key, mission in missions.items()}
        applied = self._store.record_play(ScoredPlay(play.event_id, play.player_id, scores, progress))
        if not missions:
            return PlayOutcome(scored=True, applied=applied)
        return self._reward_completed(play.player_id, missions, correlation_id, applied=applied)

    def pseudonym(self, board: BoardWindow, player_id: str) -> str:
        """How the player appears to others on the board, keyed with the service's secret."""
        if self._pseudonym_key is None:
            # Fail closed: an unkeyed hash of a player id can be reversed by hashing candidate ids.
            raise RuntimeError("leaderboard pseudonyms need their key: build the service with pseudonym_key=")
        return pseudonym(board, player_id, self._pseudonym_key())

    def _counts_for_missions(self, play: Play) -> bool:
        """Only play the player paid for: cash, and a stake of at least the minimum."""
        if play.funds != CASH:
            return False
        return play.event != "BetPlaced" or play.amount >= self._mission_min_stake

    def _scores(self, play: Play) -> dict[BoardWindow, int]:
        scores: dict[BoardWindow, int] = {}
        tournaments: list[BoardWindow] = []
        for board in self.catalogue.boards:
            if board.scored_from != play.event or board.currency != play.currency:
                continue
            window = board.schedule.window_at(play.occurred_at)
            if window is None:
                continue
            key = BoardWindow(board.board_id, window.key)
            scores[key] = board.points(play)
            if board.tournament:
                tournaments.append(key)
        if tournaments:
            entries = self._store.entries(play.player_id, tournaments)
            for key in tournaments:
                entered_at = entries.get(key)
                # Play before the entry (or without one) does not count in a tournament.
                if entered_at is None or entered_at > play.occurred_at:
                    del scores[key]
        return scores

    def _reward_completed(
        self, player_id: str, missions: dict[MissionWindow, Mission], correlation_id: str, *, applied: bool
    ) -> PlayOutcome:
        progress = self._store.progress(player_id, list(missions))
        rewarded = []
        excluded = []
        from .guard import ExcludedFromBonuses  # the guard port's refusal; loaded on the first reward

        for key, mission in missions.items():
            found = progress.get(key, MissionProgress())
            if found.rewarded or found.progress < mission.target:
                continue
            try:
                self._reward(player_id, mission, key.window, correlation_id)
            except ExcludedFromBonuses:
                # Not paid, not announced, not marked as paid: the play itself is done with.
                excluded.append(mission.mission_id)
                continue
            rewarded.append(mission.mission_id)
        return PlayOutcome(scored=True, applied=applied, rewarded=tuple(rewarded), excluded=tuple(excluded))

    def _reward(self, player_id: str, mission: Mission, window: str, correlation_id: str) -> None:
        # Grant, announce, then mark: a failure in between is retried by the redelivered event, where
        # the grant replays (no second payment) and the announcement has the same event id.
        if self._bonuses is None:
            raise RuntimeError("mission rewards need the wallet: build the service with bonuses=")
        transaction_id = mission.reward_transaction_id(player_id, window)
        self._bonuses.grant_bonus(player_id, transaction_id, mission.reward, correlation_id=correlation_id)
        self._publisher.publish(
            [
                DomainEvent(
                    name="MissionCompleted",
                    source=self._source,
                    detail={
                        "player_id": player_id,
                        "mission_id": mission.mission_id,
                        "window": window,
                        "transaction_id": transaction_id,
                        "amount": mission.reward.amount,
                        "currency": mission.reward.currency,
                    },
                    correlation_id=correlation_id,
                    occurred_at=self._clock.now(),
                )
            ]
        )
        self._store.mark_rewarded(player_id, MissionWindow(mission.mission_id, window))

    def _board(self, board_id: str) -> tuple[Leaderboard, Window]:
        board = self.catalogue.board(board_id)
        if board is None:
            raise NotFound("no such leaderboard", field="board_id")
        return board, board.schedule.current(self._clock.now())


def pseudonym(board: BoardWindow, player_id: str, key: bytes) -> str:
    """How a player appears to others on a board: stable within the window, unlinkable across boards.

    Player ids are the identity provider's subjects; showing them would tell everyone who plays. The
    HMAC is keyed: a plain hash of them could be reversed by hashing candidate ids (they are not secret).
    """
    if not key:
        raise ValueError("the pseudonym key is empty")
    message = f"{board.board_id}#{board.window}#{player_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()
    return f"player-{digest[:10]}"
