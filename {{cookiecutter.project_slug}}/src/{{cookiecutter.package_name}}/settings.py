"""Settings of the functions, read from their environment variables, and the clock they run on."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

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
class Settings:
    """What the functions need to know about the stack they run in."""

    event_bus_name: str
{%- if cookiecutter.module_wallet %}
    wallet_table_name: str
{%- endif %}
{%- if cookiecutter.module_sessions %}
    sessions_table_name: str
{%- endif %}
    event_source: str = PACKAGE
    cors_allowed_origins: tuple[str, ...] = ()
    service_name: str = PACKAGE
    metrics_namespace: str = PACKAGE
    log_level: str = "INFO"
{%- if cookiecutter.module_wallet %}
    # Server callers (api/server_calls.py): deposits and withdrawals; wins and rollbacks.
    payment_provider: ServerCallerSettings = ServerCallerSettings()
    game_server: ServerCallerSettings = ServerCallerSettings()
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
    # The KYC provider sets players' KYC status.
    kyc_provider: ServerCallerSettings = ServerCallerSettings()
{%- endif %}
    # Replay window of signed server calls, seconds either side of the clock.
    signature_tolerance_seconds: int = DEFAULT_SIGNATURE_TOLERANCE_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(
            event_bus_name=_required(env, "EVENT_BUS_NAME"),
{%- if cookiecutter.module_wallet %}
            wallet_table_name=_required(env, "WALLET_TABLE_NAME"),
{%- endif %}
{%- if cookiecutter.module_sessions %}
            sessions_table_name=_required(env, "SESSIONS_TABLE_NAME"),
{%- endif %}
            event_source=env.get("EVENT_SOURCE") or PACKAGE,
            cors_allowed_origins=_origins(env.get("CORS_ALLOWED_ORIGINS", "")),
            service_name=env.get("POWERTOOLS_SERVICE_NAME") or PACKAGE,
            metrics_namespace=env.get("POWERTOOLS_METRICS_NAMESPACE") or PACKAGE,
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
{%- if cookiecutter.module_wallet %}
            payment_provider=ServerCallerSettings.from_env(env, "PAYMENT_PROVIDER"),
            game_server=ServerCallerSettings.from_env(env, "GAME_SERVER"),
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
            kyc_provider=ServerCallerSettings.from_env(env, "KYC_PROVIDER"),
{%- endif %}
            signature_tolerance_seconds=_tolerance(env.get("SIGNATURE_TOLERANCE_SECONDS", "")),
        )


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """The audit trail's table (the auditTrail worker and the verification job get it)."""

    audit_table_name: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(audit_table_name=_required(env, "AUDIT_TABLE_NAME"))


@dataclass(frozen=True, slots=True)
class AuditArchiveSettings:
    """The write-once archive's bucket (the auditArchive worker and the verification job get it)."""

    audit_archive_bucket: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditArchiveSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(audit_archive_bucket=_required(env, "AUDIT_ARCHIVE_BUCKET"))


@dataclass(frozen=True, slots=True)
class AuditArchiveQueueSettings:
    """The queue in front of the archive (only the auditTrail worker gets it)."""

    audit_archive_queue_url: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditArchiveQueueSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(audit_archive_queue_url=_required(env, "AUDIT_ARCHIVE_QUEUE_URL"))

{%- if cookiecutter.module_responsible_gaming %}
{#- responsible_gaming: settings class (like AuditSettings), after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_promotions %}


@dataclass(frozen=True, slots=True)
class PromotionSettings:
    """What the promotions worker and routes need: the promotions table (the rules ship in the package)."""

    promotions_table_name: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PromotionSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(promotions_table_name=_required(env, "PROMOTIONS_TABLE_NAME"))
{%- endif %}
{%- if cookiecutter.module_notifications %}


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
            notifications_table_name=_required(env, "NOTIFICATIONS_TABLE_NAME"),
            channel=channel,
            topic_arn=_required(env, "NOTIFICATIONS_TOPIC_ARN") if channel == "sns" else None,
            sender=_required(env, "NOTIFICATION_SENDER") if channel == "ses" else None,
            big_win_threshold=int(threshold),
            marketing_default=marketing_default == "true",
        )
{%- endif %}
{%- if cookiecutter.module_leaderboards %}


@dataclass(frozen=True, slots=True)
class LeaderboardSettings:
    """What the leaderboards worker and the leaderboard routes need."""

    leaderboards_table_name: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LeaderboardSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(leaderboards_table_name=_required(env, "LEADERBOARDS_TABLE_NAME"))
{%- endif %}
{%- if cookiecutter.module_reporting %}


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
            reporting_table_name=_required(env, "REPORTING_TABLE_NAME"),
            analytics_bucket_name=_required(env, "ANALYTICS_BUCKET_NAME"),
        )
{%- endif %}
{%- if cookiecutter.module_scheduled_jobs %}


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
            export_bucket_name=_required(env, "EXPORT_BUCKET_NAME"),
            session_idle_timeout_minutes=int(raw),
        )
{%- endif %}


def _required(env: Mapping[str, str], name: str) -> str:
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
