"""The platform-events webhook: signed, in its replay window, once per event id, as the wallet's events."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from tests.api.http_api import PLAYER, SIGNING_KEYS, ApiClient, server_callers

from {{ cookiecutter.package_name }}.adapters.memory import InMemoryEventPublisher
from {{ cookiecutter.package_name }}.api.app import Services, create_app
from {{ cookiecutter.package_name }}.api.server_calls import (
    OPERATOR_PLATFORM,
    SIGNATURE_HEADER,
    sign,
)

PATH = "/platform/events"
KEY = SIGNING_KEYS[OPERATOR_PLATFORM]
BET: dict[str, Any] = {
    "event_id": "op-evt-1",
    "type": "BetPlaced",
    "player_id": PLAYER,
    "transaction_id": "op-bet-1",
    "amount": 500,
    "currency": "USD",
    "occurred_at": "2030-01-01T11:59:00+00:00",
    "session_id": "sess-1",
    "correlation_id": "corr-1",
}
# What the hosted wallet's BetPlaced carries (domain/wallet.py, _with_event), plus the envelope.
WALLET_DETAIL_FIELDS = {"player_id", "transaction_id", "amount", "currency", "funds", "session_id"}


def post(api: ApiClient, event: dict[str, Any], *, at: int | None = None, key: str = KEY) -> Any:
    body = json.dumps(event)
    header = sign(key, int(time.time()) if at is None else at, "POST", PATH, body.encode())
    return api.post(PATH, raw_body=body, headers={SIGNATURE_HEADER: header})


def test_a_signed_bet_is_published_as_the_wallets_bet_placed(
    api: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    response = post(api, BET)

    assert response.status == 202
    assert response.json == {"event_id": "op-evt-1", "delivery": "published"}
    [event] = publisher.events
    source = "{{ cookiecutter.package_name }}.wallet"
    assert (event.name, event.source, event.event_id) == ("BetPlaced", source, "op-evt-1")
    assert set(event.detail) == WALLET_DETAIL_FIELDS
    assert event.envelope()["amount"] == 500
    assert event.correlation_id == "corr-1"


def test_a_win_names_its_bet_as_the_wallets_bet_settled_does(
    api: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    win = {
        **BET,
        "event_id": "op-evt-2",
        "type": "BetSettled",
        "transaction_id": "op-win-1",
        "bet_transaction_id": "op-bet-1",
        "amount": 900,
    }

    assert post(api, win).status == 202

    assert publisher.events[0].detail["bet_transaction_id"] == "op-bet-1"


def test_a_redelivered_event_is_published_once(api: ApiClient, publisher: InMemoryEventPublisher) -> None:
    post(api, BET)

    again = post(api, BET)

    assert again.status == 200
    assert again.json["delivery"] == "duplicate"
    assert len(publisher.events) == 1


def test_another_event_under_a_used_id_is_refused(api: ApiClient, publisher: InMemoryEventPublisher) -> None:
    post(api, BET)

    response = post(api, {**BET, "amount": 50_000})

    assert response.status == 409
    assert response.error["code"] == "event_id_reused"
    assert len(publisher.events) == 1


def test_an_event_signed_with_another_key_is_refused(
    api: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    response = post(api, BET, key="not-the-platforms-key")

    assert response.status == 401
    assert response.error["code"] == "invalid_signature"
    assert publisher.events == []


def test_an_event_signed_outside_the_replay_window_is_refused(
    api: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    response = post(api, BET, at=int(time.time()) - 301)

    assert response.status == 401
    assert publisher.events == []


def test_a_signature_over_another_body_is_refused(api: ApiClient, publisher: InMemoryEventPublisher) -> None:
    header = sign(KEY, int(time.time()), "POST", PATH, json.dumps(BET).encode())

    response = api.post(PATH, raw_body=json.dumps({**BET, "amount": 1}), headers={SIGNATURE_HEADER: header})

    assert response.status == 401
    assert publisher.events == []


def test_a_players_token_cannot_send_platform_events(
    api: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    response = api.post(PATH, BET, as_player=True)

    assert response.status == 403
    assert publisher.events == []


def test_without_the_platforms_key_the_webhook_refuses_everything(
    services: Services, publisher: InMemoryEventPublisher
) -> None:
    closed = ApiClient(
        create_app(
            Services(**{**vars(services), "server_callers": server_callers(**{OPERATOR_PLATFORM: None})})
        )
    )

    response = post(closed, BET)

    assert response.status == 503
    assert response.error["code"] == "signing_key_missing"
    assert publisher.events == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "BalanceAdjusted"}, "type"),
        ({"amount": 0}, "amount"),
        ({"currency": "usd"}, "currency"),
        ({"occurred_at": "2030-01-01T11:59:00"}, "occurred_at"),
        ({"player_id": "player 1"}, "player_id"),
        ({"funds": "credit"}, "funds"),
        ({"type": "BetRolledBack"}, "bet_transaction_id"),
        ({"casino": "elsewhere"}, "casino"),
    ],
)
def test_a_malformed_event_is_refused_by_its_field(
    api: ApiClient, publisher: InMemoryEventPublisher, change: dict[str, Any], field: str
) -> None:
    response = post(api, {**BET, **change})

    assert response.status == 422
    assert response.error["field"] == field
    assert publisher.events == []


def test_a_missing_field_is_named(api: ApiClient) -> None:
    event = {name: value for name, value in BET.items() if name != "transaction_id"}

    response = post(api, event)

    assert response.status == 422
    assert response.error["field"] == "transaction_id"
