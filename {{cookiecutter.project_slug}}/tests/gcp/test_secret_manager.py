"""The server callers' signing keys from Secret Manager, on answers recorded from its REST API.

No emulator serves Secret Manager, so the reader is driven with real `requests` responses carrying the
bodies the API returns (AccessSecretVersion: the payload's data in base64; a secret without an enabled
version: 404 NOT_FOUND, or 400 FAILED_PRECONDITION for a disabled or destroyed one).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests

from {{ cookiecutter.package_name }}.adapters import secret_manager
from {{ cookiecutter.package_name }}.adapters.secret_manager import (
    ENDPOINT,
    SecretUnavailable,
    SecretVersion,
    secret_reader,
)
from {{ cookiecutter.package_name }}.api.gcp_server_calls import caller_with_secret_keys

CURRENT = "projects/casino-test/secrets/casino-dev-payment-provider-key"
PREVIOUS = "projects/casino-test/secrets/casino-dev-payment-provider-previous-key"


def recorded(status: int, body: dict[str, Any]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return response


def version(name: str, value: str, number: int = 3) -> requests.Response:
    data = base64.b64encode(value.encode()).decode()
    return recorded(200, {"name": f"{name}/versions/{number}", "payload": {"data": data, "dataCrc32c": "1"}})


DISABLED = {
    "error": {"code": 400, "status": "FAILED_PRECONDITION", "message": "SecretVersion is in DISABLED state."}
}


def not_found(name: str) -> requests.Response:
    message = f"Secret [{name}] not found or has no versions."
    return recorded(404, {"error": {"code": 404, "message": message, "status": "NOT_FOUND"}})


class RecordedSecretManager:
    """Answers GET .../versions/latest:access with the recorded response of each secret; counts them."""

    def __init__(self, answers: dict[str, requests.Response]) -> None:
        self.answers = answers
        self.requested: list[str] = []

    def get(self, url: str, timeout: float) -> requests.Response:
        assert timeout > 0
        self.requested.append(url)
        name = url.removeprefix(f"{ENDPOINT}/").removesuffix("/versions/latest:access")
        return self.answers[name]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_latest_version_is_read_once_and_again_after_its_age() -> None:
    store = RecordedSecretManager({CURRENT: version(CURRENT, "key-1")})
    clock = Clock()
    secret = SecretVersion(CURRENT, max_age_seconds=300, session=lambda: store, monotonic=clock)

    assert secret.value() == "key-1"
    assert secret.value() == "key-1"
    assert store.requested == [f"{ENDPOINT}/{CURRENT}/versions/latest:access"]

    store.answers[CURRENT] = version(CURRENT, "key-2", number=4)  # rotated
    clock.now = 301
    assert secret.value() == "key-2"
    assert len(store.requested) == 2


@pytest.mark.parametrize(
    "answer",
    [
        not_found(CURRENT),
        recorded(400, DISABLED),
        version(CURRENT, "   "),
        recorded(200, {"name": f"{CURRENT}/versions/1"}),
    ],
    ids=["no version", "disabled version", "empty value", "no payload"],
)
def test_a_secret_without_a_usable_version_is_unavailable_naming_it(answer: requests.Response) -> None:
    secret = SecretVersion(CURRENT, session=lambda: RecordedSecretManager({CURRENT: answer}))

    with pytest.raises(SecretUnavailable, match=CURRENT):
        secret.value()


def test_a_denied_read_is_an_error_not_a_missing_key() -> None:
    denied = recorded(403, {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "denied"}})
    secret = SecretVersion(CURRENT, session=lambda: RecordedSecretManager({CURRENT: denied}))

    with pytest.raises(requests.HTTPError):
        secret.value()


def test_a_caller_verifies_with_both_keys_during_a_rotation_and_the_current_one_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = RecordedSecretManager(
        {CURRENT: version(CURRENT, "new-key"), PREVIOUS: version(PREVIOUS, "old-key")}
    )
    monkeypatch.setattr(secret_manager, "authorized_session", lambda: store)
    environ = {
        "PAYMENT_PROVIDER_CLIENT_IDS": "casino-payment-provider",
        "PAYMENT_PROVIDER_KEY_SECRET": CURRENT,
        "PAYMENT_PROVIDER_PREVIOUS_KEY_SECRET": PREVIOUS,
    }
    caller = caller_with_secret_keys("wallet/credit", environ, "PAYMENT_PROVIDER")

    assert caller.signing_keys is not None
    assert caller.signing_keys() == ("new-key", "old-key")

    store.answers[PREVIOUS] = not_found(PREVIOUS)  # the rotation is over
    rotated = caller_with_secret_keys("wallet/credit", environ, "PAYMENT_PROVIDER")
    assert rotated.signing_keys is not None
    assert rotated.signing_keys() == ("new-key",)


def test_a_caller_without_a_key_secret_has_no_keys() -> None:
    environ = {"PAYMENT_PROVIDER_CLIENT_IDS": "x"}
    caller = caller_with_secret_keys("wallet/credit", environ, "PAYMENT_PROVIDER")

    assert caller.signing_keys is None


def test_a_local_run_gives_its_keys_by_name_beside_the_firestore_emulator() -> None:
    environ = {
        "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080",
        "LOCAL_SECRET_VALUES": json.dumps({"projects/p/secrets/payments-key": "local-key"}),
    }

    assert secret_reader("projects/p/secrets/payments-key", environ)() == "local-key"
    with pytest.raises(SecretUnavailable, match="payments-previous-key"):
        secret_reader("projects/p/secrets/payments-previous-key", environ)()


def test_local_values_are_ignored_without_the_emulator_a_deployed_function_reads_secret_manager() -> None:
    environ = {"LOCAL_SECRET_VALUES": json.dumps({"projects/p/secrets/payments-key": "local-key"})}

    reader = secret_reader("projects/p/secrets/payments-key", environ)

    assert getattr(reader, "__self__", None).__class__ is SecretVersion
