"""The hybrid mode on GCP, through the functions as functions-framework serves them, on the emulators.

The webhook: the api function takes the operator's signed event (its token's claims as API Gateway hands
them, its signing key read from Secret Manager on recorded answers), records the event id in Firestore
and publishes the event on the wallet's topic once; a redelivery answers "duplicate". The bonus: the
promotions function credits the welcome bonus a pushed first deposit earns on the operator's wallet (the
local fake of its platform), signed with the key of the secret OPERATOR_WALLET_KEY_SECRET names; without
that secret it credits nothing and answers 500, so Pub/Sub retries and then dead-letters the push.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from tests.gcp.firestore_emulator import PROJECT
from tests.gcp.functions import PLAYER, function_client, push, userinfo
from tests.gcp.test_secret_manager import RecordedSecretManager, version
from tools.gcp.stack import LOCAL_PROJECT, load
from tools.operator_platform import EVENTS_PATH, FakeOperatorPlatform, platform_event, signed_event

from {{ cookiecutter.package_name }}.adapters import secret_manager
from {{ cookiecutter.package_name }}.api.gcp import gcp_app
from {{ cookiecutter.package_name }}.compliance import CURRENCY
from {{ cookiecutter.package_name }}.gcp import api as api_function
from {{ cookiecutter.package_name }}.gcp import promotions as promotions_function

PLATFORM_KEY_SECRET = "projects/casino-test/secrets/casino-dev-operator-platform-key"
PLATFORM_KEY = "whsec-operator-platform-test"  # pragma: allowlist secret (a test key)
WALLET_KEY_SECRET = "projects/casino-test/secrets/casino-dev-operator-wallet-key"
WALLET_KEY = "whsec-operator-wallet-test"  # pragma: allowlist secret (a test key)
PLATFORM_CLIENT = "casino-operator-platform"
DEPOSIT = 5_000


def platform_token() -> dict[str, str]:
    """The operator platform's verified claims as API Gateway hands them (platformJwt)."""
    claims = {"sub": PLATFORM_CLIENT, "client_id": PLATFORM_CLIENT, "scope": "platform:events"}
    return {"X-Apigateway-Api-Userinfo": userinfo(claims)}


@pytest.fixture
def webhook(
    function_environment: dict[str, str], firestore_client: Any, monkeypatch: pytest.MonkeyPatch
) -> FlaskClient:
    """The api function on a fresh app whose operator platform's key is a Secret Manager secret."""
    monkeypatch.delenv("LOCAL_SECRET_VALUES", raising=False)
    monkeypatch.setenv("OPERATOR_PLATFORM_CLIENT_IDS", PLATFORM_CLIENT)
    monkeypatch.setenv("OPERATOR_PLATFORM_KEY_SECRET", PLATFORM_KEY_SECRET)
    answers = {PLATFORM_KEY_SECRET: version(PLATFORM_KEY_SECRET, PLATFORM_KEY)}
    monkeypatch.setattr(secret_manager, "authorized_session", lambda: RecordedSecretManager(answers))
    monkeypatch.setattr(api_function, "app", gcp_app())
    return function_client("api")


def wallet_messages(event_topics: dict[str, str]) -> Any:
    """A subscription on the wallet's topic, made before the events are published."""
    from google.cloud import pubsub_v1

    subscriber = pubsub_v1.SubscriberClient()
    path = subscriber.subscription_path(PROJECT, f"hybrid-wallet-{id(subscriber)}")
    subscriber.create_subscription(request={"name": path, "topic": event_topics["wallet"]})
    return subscriber, path


def test_a_signed_platform_event_is_published_once_on_the_wallets_topic(
    webhook: FlaskClient, event_topics: dict[str, str], firestore_client: Any
) -> None:
    subscriber, subscription = wallet_messages(event_topics)
    event = platform_event("BetPlaced", PLAYER, "op-bet-1", 500, CURRENCY)
    body, headers = signed_event(PLATFORM_KEY, event)

    first = webhook.post(EVENTS_PATH, data=body, headers={**headers, **platform_token()})
    again = webhook.post(EVENTS_PATH, data=body, headers={**headers, **platform_token()})

    assert first.status_code == 202, first.get_data(as_text=True)
    assert again.status_code == 200
    assert again.get_json()["delivery"] == "duplicate"
    pulled = subscriber.pull(request={"subscription": subscription, "max_messages": 10}, timeout=10)
    messages = [message.message for message in pulled.received_messages]
    assert [(m.attributes["type"], m.attributes["source"]) for m in messages] == [("BetPlaced", "wallet")]
    assert json.loads(messages[0].data)["player_id"] == PLAYER
    recorded = firestore_client.document(f"platform_events/{event['event_id']}").get().to_dict()
    assert recorded["published"] is True


def test_an_event_signed_with_another_key_is_refused_and_not_recorded(
    webhook: FlaskClient, firestore_client: Any
) -> None:
    event = platform_event("BetPlaced", PLAYER, "op-bet-2", 500, CURRENCY)
    body, headers = signed_event("not-the-platforms-key", event)

    response = webhook.post(EVENTS_PATH, data=body, headers={**headers, **platform_token()})

    assert response.status_code == 401, response.get_data(as_text=True)
    assert not firestore_client.document(f"platform_events/{event['event_id']}").get().exists


@pytest.fixture
def operator_wallet(
    function_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeOperatorPlatform]:
    """The fake operator's wallet, checking credits with WALLET_KEY; the workers' URL points at it."""
    fake = FakeOperatorPlatform(WALLET_KEY, currency=CURRENCY)
    monkeypatch.setenv("OPERATOR_WALLET_URL", fake.start())
    # A local run's values by secret name, read beside the Firestore emulator (adapters/secret_manager.py).
    monkeypatch.setenv("LOCAL_SECRET_VALUES", json.dumps({WALLET_KEY_SECRET: WALLET_KEY}))
    monkeypatch.setattr(promotions_function, "_service", None)  # built anew with this wallet
    try:
        yield fake
    finally:
        fake.stop()


def first_deposit() -> dict[str, Any]:
    event = platform_event("FundsDeposited", PLAYER, "op-deposit-1", DEPOSIT, CURRENCY)
    return push("FundsDeposited", "wallet", {**event, "correlation_id": "corr-7"})


def test_a_first_deposit_earns_a_bonus_the_operators_wallet_credits_once_signed(
    operator_wallet: FakeOperatorPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPERATOR_WALLET_KEY_SECRET", WALLET_KEY_SECRET)
    worker = function_client("promotions")

    answers = [worker.post("/", json=first_deposit()).status_code for _ in range(2)]

    assert answers == [204, 204]
    credits = list(operator_wallet.credits.values())
    assert [(credit["player_id"], credit["amount"]) for credit in credits] == [(PLAYER, DEPOSIT)]


def test_without_its_key_secret_no_bonus_is_sent_and_the_push_fails(
    operator_wallet: FakeOperatorPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPERATOR_WALLET_KEY_SECRET", raising=False)
    worker = function_client("promotions")

    response = worker.post("/", json=first_deposit())

    assert response.status_code == 500
    assert operator_wallet.attempts == 0
    assert operator_wallet.credits == {}


def test_infra_names_the_wallet_key_to_the_bonus_workers_alone() -> None:
    """The local run reads what infra/ deploys: the bonus-paying workers are told the operator's wallet
    and the secret of their key; the api function is not (it reads the platform's webhook keys)."""
    stack = load("dev")
    secret = f"projects/{LOCAL_PROJECT}/secrets/{stack.prefix}-operator-wallet-key"
    payers = {f.name for f in stack.functions if "OPERATOR_WALLET_KEY_SECRET" in f.environment}

    assert "promotions" in payers
    for name in payers:
        function = next(function for function in stack.functions if function.name == name)
        assert function.environment["OPERATOR_WALLET_KEY_SECRET"] == secret
        assert function.environment["OPERATOR_WALLET_URL"].startswith("https://")
        assert stack.worker_secret_names[name] == (secret,)
    assert secret not in stack.secret_names
    assert "OPERATOR_WALLET_KEY_SECRET" not in stack.api.environment
    assert stack.api.environment["OPERATOR_PLATFORM_KEY_SECRET"] in stack.secret_names
