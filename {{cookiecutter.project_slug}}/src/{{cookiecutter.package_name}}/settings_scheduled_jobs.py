"""Settings of the scheduled jobs: the export bucket and the sessions' idle timeout."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .settings import SettingsError, required_variable


@dataclass(frozen=True, slots=True)
class JobsSettings:
    """What the scheduled jobs need beyond Settings: the export bucket and the sessions' idle timeout."""

    export_bucket_name: str
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
        return cls(
            export_bucket_name=required_variable(env, "EXPORT_BUCKET_NAME"),
            session_idle_timeout_minutes=int(raw),
        )
