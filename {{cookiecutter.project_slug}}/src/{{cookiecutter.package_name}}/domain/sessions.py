"""Sessions: a player's sign-in, heartbeats and sign-out, and the play activity within."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from .. import registry
from ..compliance import LIMITS_POLICY
from .errors import Conflict, NotFound, SessionClosed, ValidationFailed
from .events import DomainEvent

if TYPE_CHECKING:
    from ..ports import Clock, EventPublisher
    from ..ports.sessions import SessionStore

# Reality checks are player protection's: a session has them, at the jurisdiction's interval
# (compliance.LIMITS_POLICY), only when the project has the responsible_gaming module. One value read
# once, so the registry is asked here rather than through a listing.
DEFAULT_REALITY_CHECK_MINUTES = (
    LIMITS_POLICY.reality_check_minutes if registry.enabled("responsible_gaming") else None
)


# How many sessions a player may have active at once, and what a sign-in beyond that does: one
# device at a time by default, the newest sign-in winning (settings_sessions.py reads the deployed value).
DEFAULT_MAX_ACTIVE_SESSIONS = 1
# Sign-ins that lost a race for a free place retry this often before the player is told to retry.
SIGN_IN_ATTEMPTS = 5


class AtSessionCap(StrEnum):
    """What a sign-in does when the player already has the most active sessions allowed."""

    END_OLDEST = "end-oldest"  # the older sessions end, as on a sign-out; the new one starts
    REFUSE = "refuse"  # the sign-in is refused until the player signs out elsewhere


class SessionLimitReached(Conflict):
    """The player already has as many active sessions as allowed."""

    code = "session_limit_reached"


class SessionStatus(StrEnum):
    """Lifecycle of a session."""

    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class SessionActivity:
    """Play inside a session, added up from BetPlaced and BetSettled events."""

    bets: int = 0
    staked: int = 0
    won: int = 0


@dataclass(frozen=True, slots=True)
class Session:
    """One signed-in period of a player on one device."""

    session_id: str
    player_id: str
    status: SessionStatus
    started_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None = None
    activity: SessionActivity = field(default_factory=SessionActivity)
    # Reality checks: every `reality_check_minutes` of the session (None: none), the player is shown how
    # long they have played; `reality_checks_due` counts the intervals announced so far.
    reality_check_minutes: int | None = None
    reality_checks_due: int = 0

    @property
    def next_reality_check_at(self) -> datetime | None:
        """When the next reality check is due (None: the session has none)."""
        if self.reality_check_minutes is None:
            return None
        return self.started_at + timedelta(minutes=self.reality_check_minutes * (self.reality_checks_due + 1))


def new_session_id() -> str:
    """A random, unguessable session id."""
    return uuid.uuid4().hex


class SessionService:
    """Starts, keeps alive and ends player sessions, and adds up the play inside them."""

    def __init__(
        self,
        store: SessionStore,
        publisher: EventPublisher,
        clock: Clock,
        source: str,
        new_id: Callable[[], str] = new_session_id,
        reality_check_minutes: int | None = DEFAULT_REALITY_CHECK_MINUTES,
        max_active_sessions: int = DEFAULT_MAX_ACTIVE_SESSIONS,
        at_session_cap: AtSessionCap = AtSessionCap.END_OLDEST,
    ) -> None:
        if max_active_sessions < 1:
            raise ValueError(f"max_active_sessions must be 1 or more, not {max_active_sessions}")
        self._store = store
        self._publisher = publisher
        self._clock = clock
        self._source = source  # EventBridge Source of the sessions' events, e.g. "<package>.sessions"
        self._new_id = new_id
        # The jurisdiction's reality-check interval by default with player protection; None: none.
        self._reality_check_minutes = reality_check_minutes
        self._max_active = max_active_sessions
        self._at_cap = at_session_cap

    def start_session(self, player_id: str, *, correlation_id: str) -> Session:
        """Sign the player in: a new active session, announced as PlayerSignedIn and SessionUpdated.

        At the cap of active sessions, the oldest end first (announced as on a sign-out), or the
        sign-in is refused (SessionLimitReached), as the service was set up.
        """
        if not player_id:
            raise ValidationFailed("player_id is required", field="player_id")
        now = self._clock.now()
        session = Session(
            session_id=self._new_id(),
            player_id=player_id,
            status=SessionStatus.ACTIVE,
            started_at=now,
            last_seen_at=now,
            reality_check_minutes=self._reality_check_minutes,
        )
        for attempt in range(SIGN_IN_ATTEMPTS):
            try:
                self._store.start(session, max_active=self._max_active)
                break
            except SessionLimitReached:
                if self._at_cap is AtSessionCap.REFUSE or attempt == SIGN_IN_ATTEMPTS - 1:
                    raise
                # At the cap: the oldest sessions end, then the sign-in tries again (another sign-in
                # may take the freed place first: a few times only).
                self._end_oldest(player_id, correlation_id)
        signed_in = DomainEvent(
            name="PlayerSignedIn",
            source=self._source,
            detail={"player_id": player_id, "session_id": session.session_id},
            correlation_id=correlation_id,
            occurred_at=now,
        )
        self._publisher.publish([signed_in, self._updated(session, correlation_id)])
        return session

    def heartbeat(self, session_id: str, player_id: str, *, correlation_id: str) -> Session:
        """Record that the player is still there; an ended session cannot be revived.

        With reality checks, the first heartbeat after an interval ends announces it (RealityCheckDue),
        once per interval; the session tells when the next one is due.
        """
        session = self._players_session(session_id, player_id)
        if session.status is SessionStatus.ENDED:
            raise SessionClosed("the session has ended; start a new one", field="session_id")
        session = replace(session, last_seen_at=self._clock.now())
        events = [self._updated(session, correlation_id)]
        if session.reality_check_minutes is not None:
            interval = timedelta(minutes=session.reality_check_minutes)
            due = (session.last_seen_at - session.started_at) // interval
            if due > session.reality_checks_due:
                session = replace(session, reality_checks_due=due)
                events.append(self._reality_check_due(session, correlation_id))
        # Saved only while the session is still active: a sign-out that won the race stays.
        self._store.save(session)
        self._publisher.publish(events)
        return session

    def end_session(self, session_id: str, player_id: str, *, correlation_id: str) -> Session:
        """Sign the player out; ending an ended session returns it unchanged and publishes nothing."""
        return self._end(self._players_session(session_id, player_id), correlation_id)

    def active_sessions(self, player_id: str) -> list[Session]:
        """The player's active sessions, oldest first."""
        return self._store.active_sessions(player_id)

    def _end_oldest(self, player_id: str, correlation_id: str) -> None:
        active = self._store.active_sessions(player_id)
        for session in active[: max(0, len(active) - self._max_active + 1)]:
            self._end(session, correlation_id)

    def _end(self, session: Session, correlation_id: str) -> Session:
        if session.status is SessionStatus.ENDED:
            return session
        now = self._clock.now()
        ended = replace(session, status=SessionStatus.ENDED, last_seen_at=now, ended_at=now)
        if not self._store.save(ended):
            # Ended meanwhile by another request: that one announced it.
            stored = self._store.get(session.session_id)
            return stored if stored is not None else ended
        self._publisher.publish([self._updated(ended, correlation_id)])
        return ended

    def record_bet_activity(
        self,
        session_id: str,
        event_id: str,
        activity: SessionActivity,
        *,
        player_id: str | None = None,
    ) -> bool:
        """Add a bet's or win's activity to its session once per event id.

        Returns False when nothing was added: the event was already applied, the session is
        unknown, or (when `player_id` is given) the session belongs to someone else, so a
        player cannot inflate another player's session by naming it in a bet.
        """
        session = self._store.get(session_id)
        if session is None or (player_id is not None and session.player_id != player_id):
            return False
        return self._store.record_activity(session_id, event_id, activity)

    def _players_session(self, session_id: str, player_id: str) -> Session:
        session = self._store.get(session_id)
        if session is None or session.player_id != player_id:
            # Someone else's session is reported as missing: ids of other players are not confirmed.
            raise NotFound("no such session", field="session_id")
        return session

    def _reality_check_due(self, session: Session, correlation_id: str) -> DomainEvent:
        # Only facts fixed by the interval: two racing heartbeats publish the same event id.
        assert session.reality_check_minutes is not None
        minutes = session.reality_check_minutes * session.reality_checks_due
        return DomainEvent(
            name="RealityCheckDue",
            source=self._source,
            detail={
                "player_id": session.player_id,
                "session_id": session.session_id,
                "reality_check": session.reality_checks_due,
                "interval_minutes": session.reality_check_minutes,
                "minutes_played": minutes,
                "due_at": (session.started_at + timedelta(minutes=minutes)).isoformat(),
            },
            correlation_id=correlation_id,
            occurred_at=session.last_seen_at,
        )

    def _updated(self, session: Session, correlation_id: str) -> DomainEvent:
        return DomainEvent(
            name="SessionUpdated",
            source=self._source,
            detail={
                "player_id": session.player_id,
                "session_id": session.session_id,
                "status": session.status.value,
                "last_seen_at": session.last_seen_at.isoformat(),
            },
            correlation_id=correlation_id,
            occurred_at=session.last_seen_at,
        )
