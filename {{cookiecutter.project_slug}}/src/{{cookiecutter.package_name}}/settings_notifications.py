"""Settings of the notifications module: its table, its delivery channel and what it announces."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .settings import SettingsError, required_variable

# Channels the notifications worker can deliver through (adapters/channels.py).
NOTIFICATION_CHANNELS = ("sns", "ses", "log")


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    """What the notifications worker and the preference routes need."""

    notifications_table_name: str
    # "log" when unset: a local run writes notifications to the log instead of reaching players.
    channel: str = "log"
    topic_arn: str | None = None  # the SNS channel's topic
    sender: str | None = None  # the SES channel's verified sender identity (an address)
    # Minor units; a win of at least this much is announced as a big win (marketing).
    big_win_threshold: int = 100_000
    # Marketing to a player who never chose: off unless the operator opts players in.
    marketing_default: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NotificationSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        channel = (env.get("NOTIFICATION_CHANNEL") or "log").strip().lower()
        if channel not in NOTIFICATION_CHANNELS:
            raise SettingsError(f"NOTIFICATION_CHANNEL must be one of {', '.join(NOTIFICATION_CHANNELS)}")
        threshold = (env.get("BIG_WIN_THRESHOLD") or "100000").strip()
        if not threshold.isdigit() or int(threshold) <= 0:
            raise SettingsError("BIG_WIN_THRESHOLD must be a positive whole number of minor units")
        marketing_default = (env.get("MARKETING_DEFAULT") or "false").strip().lower()
        if marketing_default not in ("true", "false"):
            raise SettingsError("MARKETING_DEFAULT must be true or false")
        return cls(
            notifications_table_name=required_variable(env, "NOTIFICATIONS_TABLE_NAME"),
            channel=channel,
            topic_arn=required_variable(env, "NOTIFICATIONS_TOPIC_ARN") if channel == "sns" else None,
            sender=required_variable(env, "NOTIFICATION_SENDER") if channel == "ses" else None,
            big_win_threshold=int(threshold),
            marketing_default=marketing_default == "true",
        )
