"""Settings of the promotions module: its table (the promotion rules ship in the package)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .settings import required_variable


@dataclass(frozen=True, slots=True)
class PromotionSettings:
    """What the promotions worker and routes need: the promotions table (the rules ship in the package)."""

    promotions_table_name: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PromotionSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(promotions_table_name=required_variable(env, "PROMOTIONS_TABLE_NAME"))
