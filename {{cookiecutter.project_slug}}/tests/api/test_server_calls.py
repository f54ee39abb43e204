"""Server calls are signed over time, method, path and body; keys come from SSM, cached, two in a rotation."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest
from tests.api.http_api import (
    OTHER_PLAYER,
    PLAYER,
    SERVER_CLIENTS,
    SIGNING_KEYS,
    ApiClient,
    server_callers,
    signature_headers,
)

from {{ cookiecutter.package_name }}.adapters.parameter_store import (
    SecretUnavailable,
    SecureParameter,
)
from {{ cookiecutter.package_name }}.api.app import Services, create_app
from {{ cookiecutter.package_name }}.api.aws import aws_server_callers
from {{ cookiecutter.package_name }}.api.server_calls import (
    GAME_SERVER,
    PAYMENT_PROVIDER,
    SIGNATURE_HEADER,
    RotatingKeys,
    sign,
)
from {{ cookiecutter.package_name }}.settings import Settings, SettingsError
from {{ cookiecutter.package_name }}.settings_api import ServerCallerSettings

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


def test_blank_key_names_are_no_key_and_the_tolerance_is_checked() -> None:
    environ = {"EVENT_BUS_NAME": "bus", "WALLET_TABLE_NAME": "wallet", "SESSIONS_TABLE_NAME": "sessions"}
    callers = {**environ, "PAYMENT_PROVIDER_KEY_PARAMETER": " ", "PAYMENT_PROVIDER_CLIENT_IDS": " a, b ,"}
    payment_provider = ServerCallerSettings.from_env(callers, "PAYMENT_PROVIDER")
    settings = Settings.from_env(callers)

    assert payment_provider.key_parameter is None
    assert payment_provider.client_ids == ("a", "b")
    assert settings.signature_tolerance_seconds == 300
    assert aws_server_callers(callers)[PAYMENT_PROVIDER].signing_keys is None
    for bad in ("0", "-5", "3601", "ten", "٣"):
        with pytest.raises(SettingsError, match="SIGNATURE_TOLERANCE_SECONDS"):
            Settings.from_env({**environ, "SIGNATURE_TOLERANCE_SECONDS": bad})


class Missing(Exception):
    """The previous key's parameter does not exist."""


def test_a_missing_previous_key_is_asked_for_again_only_after_the_recheck_interval() -> None:
    clock = [0.0]
    asked = []

    def previous() -> str:
        asked.append(clock[0])
        raise Missing

    keys = RotatingKeys(
        lambda: "current", previous, missing=(Missing,), recheck_seconds=300, monotonic=lambda: clock[0]
    )

    assert [keys(), keys()] == [("current",), ("current",)]
    clock[0] = 301.0
    assert keys() == ("current",)
    assert asked == [0.0, 301.0]


def test_a_previous_key_equal_to_the_current_one_is_counted_once() -> None:
    assert RotatingKeys(lambda: "same", lambda: "same")() == ("same",)


class CountingSsm:
    """An SSM client that counts GetParameter calls."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls = 0

    def get_parameter(self, **kwargs: Any) -> Any:
        self.calls += 1
        return self.client.get_parameter(**kwargs)


@pytest.mark.integration
def test_the_key_is_read_decrypted_from_ssm_and_cached(moto_server: Any) -> None:
    ssm = boto3.client("ssm")
    name = f"/casino/test/payment-provider-key-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=name, Value=PAYMENTS_KEY, Type="SecureString")
    clock = [0.0]
    counting = CountingSsm(ssm)
    parameter = SecureParameter(name, max_age_seconds=300, client=counting, monotonic=lambda: clock[0])

    assert [parameter.value(), parameter.value()] == [PAYMENTS_KEY, PAYMENTS_KEY]
    assert counting.calls == 1
    ssm.put_parameter(Name=name, Value="rotated-key", Type="SecureString", Overwrite=True)
    clock[0] = 301.0
    assert parameter.value() == "rotated-key"
    assert counting.calls == 2


@pytest.mark.integration
def test_a_missing_parameter_says_which_one(moto_server: Any) -> None:
    parameter = SecureParameter("/casino/test/not-created", client=boto3.client("ssm"))

    with pytest.raises(SecretUnavailable, match="/casino/test/not-created"):
        parameter.value()


@pytest.mark.integration
def test_the_aws_callers_read_both_keys_from_ssm(moto_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ssm = boto3.client("ssm")
    prefix = f"/casino/test/{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=f"{prefix}/key", Value="whsec-current", Type="SecureString")
    environ = {
        "EVENT_BUS_NAME": "bus",
        "WALLET_TABLE_NAME": "wallet",
        "SESSIONS_TABLE_NAME": "sessions",
        "PAYMENT_PROVIDER_CLIENT_IDS": SERVER_CLIENTS[PAYMENT_PROVIDER],
        "PAYMENT_PROVIDER_KEY_PARAMETER": f"{prefix}/key",
        "PAYMENT_PROVIDER_PREVIOUS_KEY_PARAMETER": f"{prefix}/key-previous",
    }
    caller = aws_server_callers(environ)[PAYMENT_PROVIDER]
    assert caller.signing_keys is not None

    assert caller.signing_keys() == ("whsec-current",)  # no rotation under way: no previous key
    assert caller.client_ids == {SERVER_CLIENTS[PAYMENT_PROVIDER]}
