"""Settings of the leaderboards module: its table, the pseudonyms' key and the missions' minimum stake."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .domain.leaderboards import DEFAULT_MISSION_MIN_STAKE
from .settings import SettingsError, required_variable


@dataclass(frozen=True, slots=True)
class LeaderboardSettings:
    """What the leaderboards worker and the leaderboard routes need."""

    leaderboards_table_name: str
    # The NAME of the SSM SecureString holding the pseudonyms' HMAC key (never the key itself); the
    # leaderboard routes refuse to show pseudonyms without it (LEADERBOARD_PSEUDONYM_KEY_PARAMETER).
    pseudonym_key_parameter: str | None = None
    # The least cash stake a mission counts, in minor units (MISSION_MIN_STAKE, 100 by default).
    mission_min_stake: int = DEFAULT_MISSION_MIN_STAKE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LeaderboardSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        raw = env.get("MISSION_MIN_STAKE", "").strip() or str(DEFAULT_MISSION_MIN_STAKE)
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise SettingsError(
                f"MISSION_MIN_STAKE is {raw!r}; give the least stake missions count (minor units, 1 or more)"
            )
        return cls(
            leaderboards_table_name=required_variable(env, "LEADERBOARDS_TABLE_NAME"),
            pseudonym_key_parameter=env.get("LEADERBOARD_PSEUDONYM_KEY_PARAMETER", "").strip() or None,
            mission_min_stake=int(raw),
        )
