"""Settings of the functions, read from their environment variables, and the clock they run on."""

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
class ServerCallerSettings:
    """A server caller of the API: the OAuth client ids it may use and its signing keys' parameters.

    Read from <PREFIX>_CLIENT_IDS (comma-separated), <PREFIX>_KEY_PARAMETER and
    <PREFIX>_PREVIOUS_KEY_PARAMETER: the NAMES of SSM SecureStrings, never the keys. A blank key name
    stays None, and the API then refuses the caller's requests (api/server_calls.py): never unsigned.
    """

    client_ids: tuple[str, ...] = ()
    key_parameter: str | None = None
    # The key being retired during a rotation (the parameter may be absent outside one).
    previous_key_parameter: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], prefix: str) -> ServerCallerSettings:
        """Read one caller's settings from `env`."""
        client_ids = tuple(
            client.strip() for client in env.get(f"{prefix}_CLIENT_IDS", "").split(",") if client.strip()
        )
        return cls(
            client_ids=client_ids,
            key_parameter=env.get(f"{prefix}_KEY_PARAMETER", "").strip() or None,
            previous_key_parameter=env.get(f"{prefix}_PREVIOUS_KEY_PARAMETER", "").strip() or None,
        )


@dataclass(frozen=True, slots=True)
class FrontDoorSettings:
    """The edge's secret header (docs/networking.md): its name, and the id of the secret that holds it.

    Read from ORIGIN_VERIFY_HEADER and ORIGIN_VERIFY_SECRET_ID (the secret's id, never its value). Both
    blank: the stage has no edge and the API checks nothing; one without the other refuses to start,
    so a stage with the edge never runs with its front door open.
    """

    header: str
    secret_id: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FrontDoorSettings | None:
        """The front door's settings from `env`, or None on a stage without the edge."""
        header = env.get("ORIGIN_VERIFY_HEADER", "").strip().lower()
        secret_id = env.get("ORIGIN_VERIFY_SECRET_ID", "").strip()
        if not header and not secret_id:
            return None
        for name, value in (("ORIGIN_VERIFY_HEADER", header), ("ORIGIN_VERIFY_SECRET_ID", secret_id)):
            if not value:
                raise SettingsError(
                    f"environment variable {name} is blank while the other front door setting is set: "
                    "set both (the stage has the edge) or neither"
                )
        return cls(header=header, secret_id=secret_id)


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


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """The audit trail's table (the auditTrail worker and the verification job get it)."""

    audit_table_name: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(audit_table_name=required_variable(env, "AUDIT_TABLE_NAME"))


@dataclass(frozen=True, slots=True)
class AuditArchiveSettings:
    """The write-once archive's bucket (the auditArchive worker and the verification job get it)."""

    audit_archive_bucket: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditArchiveSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(audit_archive_bucket=required_variable(env, "AUDIT_ARCHIVE_BUCKET"))


@dataclass(frozen=True, slots=True)
class AuditArchiveQueueSettings:
    """The queue in front of the archive (only the auditTrail worker gets it)."""

    audit_archive_queue_url: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditArchiveQueueSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(audit_archive_queue_url=required_variable(env, "AUDIT_ARCHIVE_QUEUE_URL"))


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
