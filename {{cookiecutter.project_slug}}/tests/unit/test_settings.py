"""Settings come from the functions' environment; a bad one stops the function, loudly."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.observability import correlation_id_or, valid_correlation_id
from {{ cookiecutter.package_name }}.settings import Settings, SettingsError

ENVIRONMENT = {
    "EVENT_BUS_NAME": "casino-bus",
{%- if cookiecutter.module_wallet %}
    "WALLET_TABLE_NAME": "casino-wallet",
{%- endif %}
{%- if cookiecutter.module_sessions %}
    "SESSIONS_TABLE_NAME": "casino-sessions",
{%- endif %}
    "EVENT_SOURCE": "{{ cookiecutter.package_name }}",
    "CORS_ALLOWED_ORIGINS": "https://play.example.com, https://admin.example.com/",
    "POWERTOOLS_SERVICE_NAME": "casino-api",
    "LOG_LEVEL": "debug",
}

REQUIRED = [
    "EVENT_BUS_NAME",
{%- if cookiecutter.module_wallet %}
    "WALLET_TABLE_NAME",
{%- endif %}
{%- if cookiecutter.module_sessions %}
    "SESSIONS_TABLE_NAME",
{%- endif %}
]


def test_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(ENVIRONMENT)

    assert settings.event_bus_name == "casino-bus"
{%- if cookiecutter.module_wallet %}
    assert settings.wallet_table_name == "casino-wallet"
{%- endif %}
{%- if cookiecutter.module_sessions %}
    assert settings.sessions_table_name == "casino-sessions"
{%- endif %}
    assert settings.cors_allowed_origins == ("https://play.example.com", "https://admin.example.com")
    assert (settings.service_name, settings.log_level) == ("casino-api", "DEBUG")


@pytest.mark.parametrize("name", REQUIRED)
def test_a_missing_resource_name_is_refused(name: str) -> None:
    environment = {key: value for key, value in ENVIRONMENT.items() if key != name}

    with pytest.raises(SettingsError, match=name):
        Settings.from_env(environment)


@pytest.mark.parametrize("origins", ["*", "https://*.example.com", "play.example.com"])
def test_cors_origins_are_exact_origins_never_a_wildcard(origins: str) -> None:
    with pytest.raises(SettingsError, match="CORS_ALLOWED_ORIGINS"):
        Settings.from_env({**ENVIRONMENT, "CORS_ALLOWED_ORIGINS": origins})


def test_no_cors_origins_means_no_browser_access() -> None:
    environment = {key: value for key, value in ENVIRONMENT.items() if key != "CORS_ALLOWED_ORIGINS"}

    assert Settings.from_env(environment).cors_allowed_origins == ()


@pytest.mark.parametrize(
    "value", ["abc-123", "Root=1-5f84c3a8-a1b2c3d4e5f6;x", "a" * 129, "", "line\nbreak", None]
)
def test_only_plain_short_correlation_ids_are_kept(value: str | None) -> None:
    expected = value if value == "abc-123" else None

    assert valid_correlation_id(value) == expected
    assert correlation_id_or(value, "fallback") == (expected or "fallback")
