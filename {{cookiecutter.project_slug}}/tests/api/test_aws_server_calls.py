"""The AWS callers of the server-to-server routes: their signing keys read from SSM Parameter Store.

The signatures' checks every cloud shares are tests/api/test_server_calls.py; this file is AWS's.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from tests.api.http_api import (
    SERVER_CLIENTS,
)
from tests.api.test_server_calls import PAYMENTS_KEY

from {{ cookiecutter.package_name }}.adapters.parameter_store import (
    SecretUnavailable,
    SecureParameter,
)
from {{ cookiecutter.package_name }}.api.aws import aws_server_callers
from {{ cookiecutter.package_name }}.api.server_calls import (
    PAYMENT_PROVIDER,
    RotatingKeys,
)
from {{ cookiecutter.package_name }}.settings import Settings, SettingsError
from {{ cookiecutter.package_name }}.settings_api import ServerCallerSettings


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


class Missing(Exception):
    """The previous key's parameter does not exist."""


class CountingSsm:
    """An SSM client that counts GetParameter calls."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls = 0

    def get_parameter(self, **kwargs: Any) -> Any:
        self.calls += 1
        return self.client.get_parameter(**kwargs)
