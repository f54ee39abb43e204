"""Settings of the functions, read from their environment variables, and the clock they run on."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

PACKAGE = "{{ cookiecutter.package_name }}"


class SettingsError(RuntimeError):
    """An environment variable the functions need is missing or malformed."""


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
    # The NAME of the SSM SecureString holding the payment provider's webhook signing key (never the
    # key itself); unset locally and in tests, where deposits are not signed.
    payment_webhook_key_parameter: str | None = None
{%- endif %}

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
            payment_webhook_key_parameter=env.get("PAYMENT_WEBHOOK_KEY_PARAMETER", "").strip() or None,
{%- endif %}
        )


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """What the audit trail's worker and verification job need (only they get these variables)."""

    audit_table_name: str
    audit_archive_bucket: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(
            audit_table_name=_required(env, "AUDIT_TABLE_NAME"),
            audit_archive_bucket=_required(env, "AUDIT_ARCHIVE_BUCKET"),
        )

{%- if cookiecutter.module_responsible_gaming %}
{#- responsible_gaming: settings class (like AuditSettings), after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_promotions %}
{#- promotions: settings class (like AuditSettings), after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_notifications %}
{#- notifications: settings class (like AuditSettings), after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_leaderboards %}
{#- leaderboards: settings class (like AuditSettings), after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_reporting %}
{#- reporting: settings class (like AuditSettings), after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_scheduled_jobs %}
{#- scheduled_jobs: settings class (like AuditSettings), after two blank lines #}
{%- endif %}


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"environment variable {name} is not set")
    return value


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
