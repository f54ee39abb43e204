"""Settings of the sessions module: how many sessions a player may have active, and what happens beyond."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .domain.sessions import DEFAULT_MAX_ACTIVE_SESSIONS, AtSessionCap
from .settings import SettingsError

# Above this, a cap no longer limits anything a player could do by hand.
MOST_ACTIVE_SESSIONS = 20


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """MAX_ACTIVE_SESSIONS (default 1) and AT_SESSION_CAP (end-oldest, the default, or refuse)."""

    max_active_sessions: int = DEFAULT_MAX_ACTIVE_SESSIONS
    at_session_cap: AtSessionCap = AtSessionCap.END_OLDEST

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SessionSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        raw_cap = env.get("MAX_ACTIVE_SESSIONS", "").strip() or str(DEFAULT_MAX_ACTIVE_SESSIONS)
        if not raw_cap.isascii() or not raw_cap.isdigit() or not 1 <= int(raw_cap) <= MOST_ACTIVE_SESSIONS:
            raise SettingsError(
                f"MAX_ACTIVE_SESSIONS is {raw_cap!r}; give a whole number from 1 to {MOST_ACTIVE_SESSIONS}"
            )
        raw_policy = env.get("AT_SESSION_CAP", "").strip() or AtSessionCap.END_OLDEST.value
        choices = ", ".join(policy.value for policy in AtSessionCap)
        if raw_policy not in {policy.value for policy in AtSessionCap}:
            raise SettingsError(f"AT_SESSION_CAP is {raw_policy!r}; give one of {choices}")
        return cls(max_active_sessions=int(raw_cap), at_session_cap=AtSessionCap(raw_policy))
