"""Settings of the reporting module: the GGR totals table and the analytics bucket."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .settings import required_variable


@dataclass(frozen=True, slots=True)
class ReportingSettings:
    """What the reporting functions need: the GGR totals table and the analytics bucket."""

    reporting_table_name: str
    analytics_bucket_name: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ReportingSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(
            reporting_table_name=required_variable(env, "REPORTING_TABLE_NAME"),
            analytics_bucket_name=required_variable(env, "ANALYTICS_BUCKET_NAME"),
        )
