"""Settings come from the functions' environment; a bad one stops the function, loudly."""

from __future__ import annotations

import importlib.util

import pytest

from {{ cookiecutter.package_name }}.observability import correlation_id_or, valid_correlation_id
from {{ cookiecutter.package_name }}.registry import MODULES
from {{ cookiecutter.package_name }}.settings import PACKAGE, Settings, SettingsError

# The table of each module that keeps one (a store of its own: adapters/memory_<module>.py is its in-memory
# one), as the stack names it in the functions' environment: <MODULE>_TABLE_NAME.
TABLED = [module for module in MODULES if importlib.util.find_spec(f"{PACKAGE}.adapters.memory_{module}")]
TABLES = {f"{module.upper()}_TABLE_NAME": f"casino-{module}" for module in TABLED}
ENVIRONMENT = {
    "EVENT_BUS_NAME": "casino-bus",
    **TABLES,
    "EVENT_SOURCE": "{{ cookiecutter.package_name }}",
    "CORS_ALLOWED_ORIGINS": "https://play.example.com, https://admin.example.com/",
    "POWERTOOLS_SERVICE_NAME": "casino-api",
    "LOG_LEVEL": "debug",
}


def test_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(ENVIRONMENT)

    assert settings.event_bus_name == "casino-bus"
    assert {module: settings.table(module) for module in TABLED} == {
        module: f"casino-{module}" for module in TABLED
    }
    assert settings.cors_allowed_origins == ("https://play.example.com", "https://admin.example.com")
    assert (settings.service_name, settings.log_level) == ("casino-api", "DEBUG")


def test_a_missing_event_bus_is_refused() -> None:
    environment = {key: value for key, value in ENVIRONMENT.items() if key != "EVENT_BUS_NAME"}

    with pytest.raises(SettingsError, match="EVENT_BUS_NAME"):
        Settings.from_env(environment)


@pytest.mark.parametrize("name", TABLES)
def test_a_missing_table_name_is_refused_where_its_table_is_needed(name: str) -> None:
    environment = {key: value for key, value in ENVIRONMENT.items() if key != name}
    settings = Settings.from_env(environment)

    with pytest.raises(SettingsError, match=name):
        settings.table(name.removesuffix("_TABLE_NAME").lower())


@pytest.mark.parametrize("module", [module for module in ("wallet", "sessions") if module in MODULES])
def test_the_api_tables_read_as_settings_of_their_own(module: str) -> None:
    assert getattr(Settings.from_env(ENVIRONMENT), f"{module}_table_name") == f"casino-{module}"


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
