"""The hybrid mode's bonus-paying functions on Azure: credits to the operator's wallet, signed from Key Vault.

The operator's events go through the webhook's intake (its event log on Azurite) onto the topic as the
wallet's; the promotions and leaderboards queue functions, called as the host calls them (their index),
credit the bonus on the operator's wallet (its local fake, a real HTTP server checking the signature)
with the key their app reads from Key Vault. Without that key (the secret still holding infra/'s
placeholder) nothing is sent: the message fails, is retried, then poisoned.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")
pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

import azure.functions as func
from tests.azure.azurite import Azurite
from tests.azure.queue_functions import drain_as_host
from tests.azure.test_key_vault_secrets import VAULT, answers
from tools.azure.function_apps import index_of
from tools.operator_platform import FakeOperatorPlatform, platform_event

from {{ cookiecutter.package_name }}.adapters import azure_environment
from {{ cookiecutter.package_name }}.adapters.azure_environment import TERRAFORM_PLACEHOLDER
from {{ cookiecutter.package_name }}.adapters.event_grid import cloud_event
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.table_operator_wallet import TablePlatformEventLog
from {{ cookiecutter.package_name }}.domain.operator_wallet import PlatformEvent, PlatformEventIntake

KEY = "whsec-operator-wallet-azure-test"  # pragma: allowlist secret (a test key)
SECRET = "operator-wallet-key"
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"


@pytest.fixture
def platform(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeOperatorPlatform, dict[str, str]]]:
    """The fake operator platform, and the bonus-paying apps' settings as infra/ gives them, on Azurite;
    their Key Vault answers the secrets of the dict returned (the signing key, to begin with)."""
    fake = FakeOperatorPlatform(KEY)
    secrets = {SECRET: KEY}
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("PROMOTIONS_TABLE_NAME", table_factory().table_name)
    monkeypatch.setenv("LEADERBOARDS_TABLE_NAME", table_factory().table_name)
    monkeypatch.setenv("OPERATOR_WALLET_URL", fake.start())
    monkeypatch.setenv("OPERATOR_WALLET_KEY_PARAMETER", SECRET)
    monkeypatch.setenv("KEY_VAULT_URI", VAULT)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.eastus-1.eventgrid.azure.net/api/events"
    )
    monkeypatch.delenv("WALLET_TABLE_NAME", raising=False)  # no hosted wallet in the hybrid mode
    monkeypatch.setattr(azure_environment, "_vault_get", answers(secrets))
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: InMemoryEventPublisher())
    apps = _apps()
    for app in apps:
        app.cache_clear()
    try:
        yield fake, secrets
    finally:
        for app in apps:
            app.cache_clear()
        fake.stop()


def _apps() -> list[Any]:
    """The services the promotions and leaderboards apps build once (cleared around each test)."""
    from {{ cookiecutter.package_name }}.azure_apps import leaderboards, promotions

    return [promotions.promotion_service, leaderboards.leaderboard_service]


def delivered(table: Any, *events: dict[str, Any]) -> list[func.QueueMessage]:
    """The platform's events through the webhook's intake (its log on `table`), as Event Grid delivers."""
    topic = InMemoryEventPublisher()
    intake = PlatformEventIntake(
        TablePlatformEventLog(table), topic, FixedClock(datetime.now(UTC)), WALLET_SOURCE
    )
    for event in events:
        intake.receive(PlatformEvent.parse(event))
    return [func.QueueMessage(body=json.dumps(cloud_event(event)).encode()) for event in topic.events]


def welcome_bonus() -> Any:
    from {{ cookiecutter.package_name }}.domain.promotions import packaged_promotions

    return next(p for p in packaged_promotions() if p.trigger.value == "first_deposit")


def test_a_first_deposit_at_the_operator_credits_the_welcome_bonus_there_once_signed(
    platform: tuple[FakeOperatorPlatform, dict[str, str]], table_factory: Callable[..., Any]
) -> None:
    from {{ cookiecutter.package_name }}.azure_apps import promotions as app

    fake, _ = platform
    welcome = welcome_bonus()
    [deposit] = delivered(
        table_factory(), platform_event("FundsDeposited", "player-1", "op-dep-1", 5_000, welcome.currency)
    )
    promotions = index_of(app.app)["promotions"].call

    promotions(deposit)
    promotions(deposit)  # redelivered: no second credit

    [credit] = fake.credits.values()  # the fake accepts only credits signed with the Key Vault key
    assert (credit["player_id"], credit["amount"], credit["currency"], credit["funds"]) == (
        "player-1",
        min(5_000, welcome.bonus),
        welcome.currency,
        "bonus",
    )


def test_the_mission_the_operator_s_bets_complete_is_paid_by_the_operator_s_wallet(
    platform: tuple[FakeOperatorPlatform, dict[str, str]], table_factory: Callable[..., Any]
) -> None:
    from {{ cookiecutter.package_name }}.azure_apps import leaderboards as app
    from {{ cookiecutter.package_name }}.domain.leaderboards import (
        CATALOGUE_CURRENCY,
        DEFAULT_CATALOGUE,
    )

    fake, _ = platform
    mission = next(mission for mission in DEFAULT_CATALOGUE.missions if mission.counts == "BetPlaced")
    bets = delivered(
        table_factory(),
        *(
            platform_event("BetPlaced", "player-1", f"op-bet-{n}", 200, CATALOGUE_CURRENCY)
            for n in range(mission.target)
        ),
    )
    leaderboards = index_of(app.app)["leaderboards"].call

    for bet in bets:
        leaderboards(bet)
    leaderboards(bets[-1])  # the completing bet redelivered: no second reward

    [credit] = fake.credits.values()
    assert credit["transaction_id"].startswith("mission:")
    assert (credit["player_id"], credit["amount"]) == ("player-1", mission.reward.amount)


def test_without_the_key_the_grant_fails_retries_and_is_poisoned_never_sent_unsigned(
    platform: tuple[FakeOperatorPlatform, dict[str, str]],
    table_factory: Callable[..., Any],
    queue_factory: Callable[[], str],
    azure_storage: Azurite,
) -> None:
    from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client
    from {{ cookiecutter.package_name }}.azure_apps import promotions as app

    fake, secrets = platform
    secrets[SECRET] = TERRAFORM_PLACEHOLDER  # set by infra/, never by the operator: no key
    welcome = welcome_bonus()
    [deposit] = delivered(
        table_factory(), platform_event("FundsDeposited", "player-1", "op-dep-1", 5_000, welcome.currency)
    )
    queue = queue_factory()
    # As Event Grid delivers it (base64, host.json's messageEncoding).
    queue_client(queue, connection_string=azure_storage.connection_string).send_message(
        deposit.get_body().decode()
    )

    deliveries = drain_as_host(azure_storage.connection_string, queue, index_of(app.app)["promotions"].call)

    assert deliveries.processed == 0
    assert len(deliveries.poisoned) == 1
    assert fake.attempts == 0  # nothing reached the operator's wallet


def test_without_the_key_s_secret_name_or_vault_no_operator_wallet_is_built() -> None:
    from {{ cookiecutter.package_name }}.azure_operator_wallet import (
        operator_wallet_signed_from_key_vault,
    )
    from {{ cookiecutter.package_name }}.domain.operator_wallet import OperatorRefused

    for settings in (
        {"OPERATOR_WALLET_URL": "https://wallet.operator.example.com", "KEY_VAULT_URI": VAULT},
        {
            "OPERATOR_WALLET_URL": "https://wallet.operator.example.com",
            "OPERATOR_WALLET_KEY_PARAMETER": SECRET,
        },
    ):
        with pytest.raises(OperatorRefused, match="OPERATOR_WALLET_KEY_PARAMETER and KEY_VAULT_URI"):
            operator_wallet_signed_from_key_vault(settings)
