"""Key Vault secrets that still hold Terraform's placeholder count as unset.

infra/ writes each secret once with a known placeholder (write-only, so the value never reaches the state)
and never changes it back: the operator sets the real value outside Terraform. Until then anyone who read
the module knows the value, so a signing key, a rotation's previous key or the leaderboards' pseudonym
key holding it must never be used: the secret reads as missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.adapters.azure_environment import (
    TERRAFORM_PLACEHOLDER,
    SecretMissing,
    VaultSecret,
)

INFRA = Path(__file__).resolve().parents[2] / "infra"
VAULT = "https://casino-kv.vault.azure.net"
REAL_KEY = "a-key-the-operator-set-outside-terraform-0123456789"


def answers(values: dict[str, str]) -> Callable[[str], tuple[int, bytes]]:
    """Key Vault's GET answers: each secret's value by name, 404 for any other."""

    def send(url: str) -> tuple[int, bytes]:
        name = url.split("/secrets/", 1)[1].split("?", 1)[0]
        if name not in values:
            return 404, b'{"error": {"code": "SecretNotFound"}}'
        return 200, json.dumps({"value": values[name]}).encode()

    return send


def test_every_secret_infra_writes_holds_the_placeholder_the_app_refuses() -> None:
    """Each `azurerm_key_vault_secret` block writes the placeholder, and only it (a project whose modules keep
    no secret, sessions alone, has no block: the count below is then 0 of 0)."""
    secrets = [
        block
        for tf in INFRA.rglob("*.tf")
        for block in re.split(r"^resource ", tf.read_text(encoding="utf-8"), flags=re.MULTILINE)
        if block.startswith('"azurerm_key_vault_secret"')
    ]
    written = [re.findall(r'^\s*value_wo\s*=\s*"([^"]*)"', block, re.MULTILINE) for block in secrets]
    assert written == [[TERRAFORM_PLACEHOLDER]] * len(secrets)


def test_a_secret_holding_the_placeholder_reads_as_missing_naming_the_fix() -> None:
    placeholder = answers({"payment-provider-key": TERRAFORM_PLACEHOLDER})
    secret = VaultSecret(VAULT, "payment-provider-key", send=placeholder)
    with pytest.raises(SecretMissing, match="az keyvault secret set") as refused:
        secret.value()
    assert "payment-provider-key" in str(refused.value)


def test_a_set_secret_reads_as_its_value() -> None:
    secret = VaultSecret(VAULT, "payment-provider-key", send=answers({"payment-provider-key": REAL_KEY}))
    assert secret.value() == REAL_KEY
