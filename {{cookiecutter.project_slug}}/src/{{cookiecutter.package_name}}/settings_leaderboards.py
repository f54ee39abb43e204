"""Settings of the leaderboards module: its table."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .settings import required_variable


@dataclass(frozen=True, slots=True)
class LeaderboardSettings:
    """What the leaderboards worker and the leaderboard routes need."""

    leaderboards_table_name: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LeaderboardSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(leaderboards_table_name=required_variable(env, "LEADERBOARDS_TABLE_NAME"))
