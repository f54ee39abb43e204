"""The hybrid mode's bonus payer on Azure: the operator's wallet, each credit signed with a Key Vault key.

The promotions and leaderboards apps build it on their first bonus (azure_bonuses.py); infra/modules/
operator_wallet gives these apps a role on the key's secret only. Never unsigned: without the key (no
secret name, no vault, or the secret still infra/'s placeholder) the grant raises, so the message is
retried, then poisoned, and the poison queue's alert fires.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .adapters.azure_environment import VaultSecret
from .adapters.operator_platform import OperatorPlatformClient
from .domain.operator_wallet import OperatorBonusWallet, OperatorRefused
from .settings import required_variable


def operator_wallet_signed_from_key_vault(environ: Mapping[str, str] | None = None) -> OperatorBonusWallet:
    """Hybrid mode: the operator's wallet at OPERATOR_WALLET_URL, each credit signed with the Key Vault
    secret named in OPERATOR_WALLET_KEY_PARAMETER (read with the app's identity on use, then cached)."""
    env = os.environ if environ is None else environ
    secret = env.get("OPERATOR_WALLET_KEY_PARAMETER", "").strip()
    vault = env.get("KEY_VAULT_URI", "").strip()
    if not secret or not vault:
        # Never unsigned: without its key the function fails the message, and the poison queue alerts.
        raise OperatorRefused(
            "OPERATOR_WALLET_KEY_PARAMETER and KEY_VAULT_URI must name the Key Vault secret of the key "
            "the bonus credits are signed with: no bonus is sent unsigned"
        )
    # The placeholder infra/ writes counts as unset: reading it raises SecretMissing at the first credit.
    key = VaultSecret(vault, secret)
    url = required_variable(env, "OPERATOR_WALLET_URL")
    return OperatorBonusWallet(OperatorPlatformClient(url, key.value))
