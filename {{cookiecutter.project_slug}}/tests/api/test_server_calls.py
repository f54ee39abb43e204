"""Server calls are signed over time, method, path and body; keys come from SSM, cached, two in a rotation."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import pytest
from tests.api.http_api import (
    OTHER_PLAYER,
    PLAYER,
    SIGNING_KEYS,
    ApiClient,
    server_callers,
    signature_headers,
)

from {{ cookiecutter.package_name }}.api.app import Services, create_app
from {{ cookiecutter.package_name }}.api.server_calls import (
    GAME_SERVER,
    PAYMENT_PROVIDER,
    SIGNATURE_HEADER,
    RotatingKeys,
    sign,
)

DEPOSIT = {
    "player_id": PLAYER,
    "kind": "deposit",
    "transaction_id": "dep-1",
    "amount": 5_000,
    "currency": "EUR",
}
PAYMENTS_KEY = SIGNING_KEYS[PAYMENT_PROVIDER]


def app_with(services: Services, **changes: Any) -> ApiClient:
    return ApiClient(create_app(Services(**{**vars(services), **changes})))


def cash(api: ApiClient) -> int:
    balance: int = api.get("/wallet").json["cash"]
    return balance


def deposit(api: ApiClient, header: str | None, body: dict[str, Any] = DEPOSIT) -> Any:
    headers = {} if header is None else {SIGNATURE_HEADER: header}
    return api.post("/wallet/deposits", raw_body=json.dumps(body), headers=headers, unsigned=header is None)


def now() -> int:
    return int(time.time())


def test_a_deposit_signed_with_the_key_is_credited(api: ApiClient) -> None:
    body = json.dumps(DEPOSIT)

    response = deposit(api, sign(PAYMENTS_KEY, now(), "POST", "/wallet/deposits", body.encode()))

    assert response.status == 201
    assert cash(api) == 5_000


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="unsigned"),
        pytest.param(
            sign("another-key", now(), "POST", "/wallet/deposits", json.dumps(DEPOSIT).encode()),
            id="another-key",
        ),
        pytest.param(
            sign(
                PAYMENTS_KEY, now(), "POST", "/wallet/deposits", json.dumps({**DEPOSIT, "amount": 5}).encode()
            ),
            id="signed-another-body",
        ),
        pytest.param(
            sign(PAYMENTS_KEY, now(), "POST", "/wallet/withdrawals", json.dumps(DEPOSIT).encode()),
            id="signed-for-another-path",
        ),
        pytest.param(
            sign(PAYMENTS_KEY, now(), "PUT", "/wallet/deposits", json.dumps(DEPOSIT).encode()),
            id="another-method",
        ),
        pytest.param("sha256=" + "0" * 64, id="the-old-scheme"),
        pytest.param("t=,v1=", id="empty"),
        pytest.param(f"t={now()}", id="no-signature"),
        pytest.param("t=1e9,v1=" + "0" * 64, id="not-a-timestamp"),
    ],
)
def test_a_deposit_without_a_valid_signature_is_refused_and_credits_nothing(
    api: ApiClient, header: str | None
) -> None:
    response = deposit(api, header)

    assert response.status == 401
    assert response.error["code"] == "invalid_signature"
    assert cash(api) == 0


def test_a_signature_a_little_early_or_late_is_inside_the_window(api: ApiClient) -> None:
    body = json.dumps(DEPOSIT).encode()

    late = deposit(api, sign(PAYMENTS_KEY, now() - 240, "POST", "/wallet/deposits", body))
    early = deposit(api, sign(PAYMENTS_KEY, now() + 240, "POST", "/wallet/deposits", body))

    assert [late.status, early.status] == [201, 200]  # the second is the first's replay


def test_the_window_is_a_setting(services: Services) -> None:
    api = app_with(services, signature_tolerance_seconds=30, server_callers=server_callers())
    body = json.dumps(DEPOSIT).encode()

    response = deposit(api, sign(PAYMENTS_KEY, now() - 60, "POST", "/wallet/deposits", body))

    assert response.status == 401
    assert "30 seconds" in response.error["message"]


def test_during_a_rotation_the_current_and_the_previous_key_are_accepted(services: Services) -> None:
    rotated = server_callers(payment_provider=("whsec-new", PAYMENTS_KEY))
    api = app_with(services, server_callers=rotated)
    first = json.dumps(DEPOSIT)
    second = json.dumps({**DEPOSIT, "transaction_id": "dep-2"})
    third = json.dumps({**DEPOSIT, "transaction_id": "dep-3"})

    with_new = deposit(api, sign("whsec-new", now(), "POST", "/wallet/deposits", first.encode()), DEPOSIT)
    with_previous = deposit(
        api, sign(PAYMENTS_KEY, now(), "POST", "/wallet/deposits", second.encode()), json.loads(second)
    )
    with_retired = deposit(
        api, sign("whsec-retired", now(), "POST", "/wallet/deposits", third.encode()), json.loads(third)
    )

    assert [with_new.status, with_previous.status, with_retired.status] == [201, 201, 401]


class KeyNotInStore(LookupError):
    """What a secret store's reader raises for a key that is not there (a parameter, secret or version)."""


def not_in_the_store() -> str:
    raise KeyNotInStore("payment-provider-key")


def test_a_key_named_but_missing_from_the_store_closes_the_route_as_missing(services: Services) -> None:
    """Named in the settings but not set in the store yet (no parameter, no secret version, the placeholder):
    the same 503 `signing_key_missing` as a key not named at all, not a 500, and nothing is credited."""
    keys = RotatingKeys(not_in_the_store, missing=(KeyNotInStore,))
    callers = server_callers()
    callers[PAYMENT_PROVIDER] = dataclasses.replace(callers[PAYMENT_PROVIDER], signing_keys=keys)
    api = app_with(services, server_callers=callers)
    body = json.dumps(DEPOSIT).encode()

    response = deposit(api, sign(PAYMENTS_KEY, now(), "POST", "/wallet/deposits", body))

    assert (response.status, response.error["code"]) == (503, "signing_key_missing")
    assert cash(api) == 0


def test_a_header_with_several_signatures_passes_when_one_is_valid(api: ApiClient) -> None:
    body = json.dumps(DEPOSIT).encode()
    timestamp = now()
    valid = sign(PAYMENTS_KEY, timestamp, "POST", "/wallet/deposits", body).split(",")[1]

    response = deposit(api, f"t={timestamp},v1={'0' * 64},{valid}")

    assert response.status == 201


def test_the_game_servers_key_does_not_sign_payments(api: ApiClient) -> None:
    """Only the payment provider, which moves the money, signs deposits and withdrawals."""
    body = json.dumps(DEPOSIT).encode()

    response = deposit(api, sign(SIGNING_KEYS[GAME_SERVER], now(), "POST", "/wallet/deposits", body))

    assert response.status == 401
    assert cash(api) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "withdrawal"), ("kind", None), ("player_id", ""), ("player_id", "two words"), ("player_id", 7)],
)
def test_a_signed_body_must_name_its_player_and_this_routes_kind(
    api: ApiClient, field: str, value: Any
) -> None:
    response = api.post("/wallet/deposits", {**DEPOSIT, field: value})

    assert response.status == 422
    assert response.error["field"] == field


@pytest.mark.parametrize("field", ["player_id", "kind"])
def test_a_signed_body_without_player_or_kind_is_refused(api: ApiClient, field: str) -> None:
    body = json.dumps({name: value for name, value in DEPOSIT.items() if name != field})

    response = api.post("/wallet/deposits", raw_body=body)

    assert (response.status, response.error["field"]) == (422, field)


def test_the_player_is_the_signed_bodys(api: ApiClient) -> None:
    response = api.post("/wallet/deposits", {**DEPOSIT, "player_id": OTHER_PLAYER})

    assert response.status == 201
    assert api.get("/wallet", player=OTHER_PLAYER).json["cash"] == 5_000
    assert cash(api) == 0


def test_the_signing_headers_builder_matches_the_server(api: ApiClient) -> None:
    body = json.dumps(DEPOSIT)
    headers = signature_headers(PAYMENT_PROVIDER, "POST", "/wallet/deposits", body)

    assert api.post("/wallet/deposits", raw_body=body, headers=headers).status == 201
