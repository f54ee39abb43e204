"""Sessions: a player's sign-in, heartbeats and sign-out, and the play activity within."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


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
