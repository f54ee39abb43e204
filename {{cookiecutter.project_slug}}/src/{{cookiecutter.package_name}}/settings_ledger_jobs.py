"""Settings of the ledger's scheduled jobs: the bucket the daily ledger export writes to."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .settings import required_variable


@dataclass(frozen=True, slots=True)
class LedgerExportSettings:
    """What the ledger export needs beyond Settings: its bucket (serverless.yml, LedgerExportBucket)."""

    export_bucket_name: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LedgerExportSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(export_bucket_name=required_variable(env, "EXPORT_BUCKET_NAME"))
