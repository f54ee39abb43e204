"""Deposits and withdrawals carry the payment provider's signature; its key comes from SSM, cached."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import boto3
import pytest
from tests.api.http_api import ApiClient

from {{ cookiecutter.package_name }}.adapters.parameter_store import (
    SecretUnavailable,
    SecureParameter,
)
from {{ cookiecutter.package_name }}.api.app import Services, create_app
from {{ cookiecutter.package_name }}.api.wallet import PAYMENT_SIGNATURE_HEADER

KEY = "whsec-test-4b1d"
DEPOSIT = {"transaction_id": "dep-1", "amount": 5_000, "currency": "EUR"}


def signature(body: str, key: str = KEY) -> str:
    return "sha256=" + hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def signed_api(services: Services) -> ApiClient:
    return ApiClient(create_app(Services(**{**vars(services), "payment_webhook_key": lambda: KEY})))


def cash(api: ApiClient) -> int:
    balance: int = api.get("/wallet").json["cash"]
    return balance


def test_a_deposit_signed_with_the_key_is_credited(signed_api: ApiClient) -> None:
    body = json.dumps(DEPOSIT)

    headers = {PAYMENT_SIGNATURE_HEADER: signature(body)}

    response = signed_api.post("/wallet/deposits", raw_body=body, headers=headers)

    assert response.status == 201
    assert cash(signed_api) == 5_000


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="unsigned"),
        pytest.param(signature(json.dumps(DEPOSIT), key="another-key"), id="another-key"),
        pytest.param(signature(json.dumps({**DEPOSIT, "amount": 5})), id="signed-another-body"),
        pytest.param("sha256=", id="empty"),
    ],
)
def test_a_deposit_without_a_valid_signature_is_refused_and_credits_nothing(
    signed_api: ApiClient, header: str | None
) -> None:
    headers = {} if header is None else {PAYMENT_SIGNATURE_HEADER: header}

    response = signed_api.post("/wallet/deposits", raw_body=json.dumps(DEPOSIT), headers=headers)

    assert response.status == 401
    assert response.error["code"] == "invalid_signature"
    assert cash(signed_api) == 0


def test_a_withdrawal_needs_the_payment_providers_signature(signed_api: ApiClient) -> None:
    deposit = json.dumps(DEPOSIT)
    signed_api.post(
        "/wallet/deposits", raw_body=deposit, headers={PAYMENT_SIGNATURE_HEADER: signature(deposit)}
    )
    body = json.dumps({"transaction_id": "wd-1", "amount": 2_000, "currency": "EUR"})

    unsigned = signed_api.post("/wallet/withdrawals", raw_body=body)
    forged = signed_api.post(
        "/wallet/withdrawals",
        raw_body=body,
        headers={PAYMENT_SIGNATURE_HEADER: signature(body, "another-key")},
    )
    assert cash(signed_api) == 5_000
    signed = signed_api.post(
        "/wallet/withdrawals", raw_body=body, headers={PAYMENT_SIGNATURE_HEADER: signature(body)}
    )

    assert [unsigned.status, forged.status] == [401, 401]
    assert unsigned.error["code"] == "invalid_signature"
    assert signed.status == 201
    assert cash(signed_api) == 3_000


def test_bets_and_wins_need_no_payment_signature(signed_api: ApiClient) -> None:
    body = json.dumps(DEPOSIT)
    signed_api.post("/wallet/deposits", raw_body=body, headers={PAYMENT_SIGNATURE_HEADER: signature(body)})

    bet = {"transaction_id": "bet-1", "amount": 100, "currency": "EUR"}
    assert signed_api.post("/wallet/bets", bet).status == 201


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
    name = f"/casino/test/payment-webhook-key-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=name, Value=KEY, Type="SecureString")
    now = [0.0]
    counting = CountingSsm(ssm)
    parameter = SecureParameter(name, max_age_seconds=300, client=counting, monotonic=lambda: now[0])

    assert [parameter.value(), parameter.value()] == [KEY, KEY]
    assert counting.calls == 1
    ssm.put_parameter(Name=name, Value="rotated-key", Type="SecureString", Overwrite=True)
    now[0] = 301.0
    assert parameter.value() == "rotated-key"
    assert counting.calls == 2


@pytest.mark.integration
def test_a_missing_parameter_says_which_one(moto_server: Any) -> None:
    parameter = SecureParameter("/casino/test/not-created", client=boto3.client("ssm"))

    with pytest.raises(SecretUnavailable, match="/casino/test/not-created"):
        parameter.value()
