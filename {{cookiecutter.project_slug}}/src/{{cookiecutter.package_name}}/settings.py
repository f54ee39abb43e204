"""Settings of the functions, read from their environment variables, and the clock they run on.

What only some functions read is apart, so that the others' cold starts do not define it (each
dataclass compiles its generated methods when it is defined; docs/benchmarks.md): the API's server
callers and front door in settings_api.py, the audit trail's in settings_audit.py, and each module's
in settings_<module>.py.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .registry import MODULES

PACKAGE = "{{ cookiecutter.package_name }}"


# Replay window of signed server calls (seconds): Stripe's default tolerance.
DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300


class SettingsError(RuntimeError):
    """An environment variable the functions need is missing or malformed."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the functions need to know about the stack they run in."""

    event_bus_name: str
    # The table each module keeps its state in, by module (from <MODULE>_TABLE_NAME, where it is set).
    tables: Mapping[str, str] = field(default_factory=dict)
    event_source: str = PACKAGE
    cors_allowed_origins: tuple[str, ...] = ()
    service_name: str = PACKAGE
    metrics_namespace: str = PACKAGE
    log_level: str = "INFO"
    # Replay window of signed server calls, seconds either side of the clock.
    signature_tolerance_seconds: int = DEFAULT_SIGNATURE_TOLERANCE_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(
            event_bus_name=required_variable(env, "EVENT_BUS_NAME"),
            tables={
                module: env[_table_variable(module)].strip()
                for module in MODULES
                if env.get(_table_variable(module), "").strip()
            },
            event_source=env.get("EVENT_SOURCE") or PACKAGE,
            cors_allowed_origins=_origins(env.get("CORS_ALLOWED_ORIGINS", "")),
            service_name=env.get("POWERTOOLS_SERVICE_NAME") or PACKAGE,
            metrics_namespace=env.get("POWERTOOLS_METRICS_NAMESPACE") or PACKAGE,
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            signature_tolerance_seconds=_tolerance(env.get("SIGNATURE_TOLERANCE_SECONDS", "")),
        )

    def table(self, module: str) -> str:
        """The table of `module` (e.g. "wallet": WALLET_TABLE_NAME); refused by name when it is not set."""
        name = self.tables.get(module)
        if name is None:
            raise SettingsError(f"environment variable {_table_variable(module)} is not set")
        return name

    @property
    def wallet_table_name(self) -> str:
        """The wallet's table (WALLET_TABLE_NAME): the ledger, and players' protection beside it."""
        return self.table("wallet")

    @property
    def sessions_table_name(self) -> str:
        """The sessions' table (SESSIONS_TABLE_NAME)."""
        return self.table("sessions")


def _table_variable(module: str) -> str:
    return f"{module.upper()}_TABLE_NAME"


def required_variable(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"environment variable {name} is not set")
    return value


def _tolerance(raw: str) -> int:
    value = raw.strip() or str(DEFAULT_SIGNATURE_TOLERANCE_SECONDS)
    # Longer than an hour would let a captured request be replayed for hours.
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 3600:
        raise SettingsError(f"SIGNATURE_TOLERANCE_SECONDS is {raw!r}; give whole seconds between 1 and 3600")
    return int(value)


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())
    for origin in origins:
        # CORS is an allow-list of exact origins: a wildcard would let any site call the API.
        if "*" in origin or not origin.startswith(("https://", "http://")):
            raise SettingsError(
                f"CORS_ALLOWED_ORIGINS holds {origin!r}; list exact origins like https://example.com"
            )
    return origins


class SystemClock:
    """The real time in UTC: the Clock the deployed functions run on."""

    def now(self) -> datetime:
        return datetime.now(UTC)
