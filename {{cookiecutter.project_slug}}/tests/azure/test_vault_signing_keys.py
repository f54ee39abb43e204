"""Server callers' signing keys on Azure: a Key Vault secret still holding infra/'s placeholder signs nothing.

infra/modules/wallet writes each caller's `-key` and `-previous-key` secrets once with a placeholder
anyone who read the module knows (tests/azure/test_key_vault_secrets.py): a rotation's previous key left
at it must not be accepted, and a current key at it refuses the caller's calls.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
from tests.azure.test_key_vault_secrets import REAL_KEY, VAULT, answers

from {{ cookiecutter.package_name }}.adapters import azure_environment
from {{ cookiecutter.package_name }}.adapters.azure_environment import (
    TERRAFORM_PLACEHOLDER,
    SecretMissing,
)
from {{ cookiecutter.package_name }}.api.azure_server_calls import caller_with_vault_keys
from {{ cookiecutter.package_name }}.api.server_calls import KeyNotStored


def test_a_previous_key_holding_the_placeholder_signs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        azure_environment,
        "_vault_get",
        answers({"payment-provider-key": REAL_KEY, "payment-provider-previous-key": TERRAFORM_PLACEHOLDER}),
    )
    caller = caller_with_vault_keys("wallet/credit", "payment_provider", {"KEY_VAULT_URI": VAULT})
    assert caller.signing_keys is not None
    keys = caller.signing_keys()
    assert keys == (REAL_KEY,)
    forged = hmac.new(TERRAFORM_PLACEHOLDER.encode(), b"payload", hashlib.sha256).hexdigest()
    assert forged not in {hmac.new(key.encode(), b"payload", hashlib.sha256).hexdigest() for key in keys}


def test_a_current_key_holding_the_placeholder_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    placeholder = answers({"payment-provider-key": TERRAFORM_PLACEHOLDER})
    monkeypatch.setattr(azure_environment, "_vault_get", placeholder)
    caller = caller_with_vault_keys("wallet/credit", "payment_provider", {"KEY_VAULT_URI": VAULT})
    assert caller.signing_keys is not None
    with pytest.raises(KeyNotStored) as refused:  # the route answers 503 signing_key_missing
        caller.signing_keys()
    assert isinstance(refused.value.__cause__, SecretMissing)
