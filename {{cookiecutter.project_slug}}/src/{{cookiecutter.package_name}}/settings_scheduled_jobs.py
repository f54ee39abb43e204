"""Settings of the sessions' scheduled jobs: the idle timeout (the ledger's: settings_ledger_jobs.py)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .settings import SettingsError


@dataclass(frozen=True, slots=True)
class JobsSettings:
    """What the sessions' jobs need beyond Settings: the sessions' idle timeout."""

    # A session with no heartbeat for this long is ended by the sessionCleanup job.
    session_idle_timeout_minutes: int = 30

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> JobsSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        raw = env.get("SESSION_IDLE_TIMEOUT_MINUTES", "").strip() or "30"
        if not raw.isdigit() or not 1 <= int(raw) <= 24 * 60:
            raise SettingsError(
                f"SESSION_IDLE_TIMEOUT_MINUTES is {raw!r}; give whole minutes between 1 and 1440"
            )
        return cls(session_idle_timeout_minutes=int(raw))
