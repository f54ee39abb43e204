"""What the Azure workers that pay bonuses (promotions, leaderboards) pay them with.

The hosted wallet's ledger is the wallet's Table Storage store, the `Wallet` table (WALLET_TABLE_NAME;
infra/ gives these apps a role on that table only); a grant's BonusGranted goes out with its ledger
entry, through the wallet's outbox relay. In the hybrid mode (module operator_wallet) the operator's
wallet credits the bonuses instead, over signed HTTPS (adapters/operator_platform.py), signed with the
project's key from Key Vault (infra/modules/operator_wallet gives these apps a role on that secret only).
Never unsigned: without the key (no secret name, no vault, or the secret still infra/'s placeholder)
the grant raises, so the message is retried, then poisoned, and the poison queue's alert fires.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .domain.operator_wallet import OperatorBonusWallet
    from .ports.wallet import LedgerStore


def table_ledger() -> LedgerStore:
    """The wallet's ledger in the Wallet table, built on the first bonus or settled bet."""
    from .adapters.azure_environment import core_settings, table
    from .adapters.table_wallet import TableLedgerStore

    ledger: LedgerStore = TableLedgerStore(table(os.environ, core_settings(os.environ).wallet_table_name))
    return ledger


def operator_wallet_on_azure(environ: Mapping[str, str] | None = None) -> OperatorBonusWallet:
    """Hybrid mode: the operator's wallet at OPERATOR_WALLET_URL, each credit signed with the Key Vault
    secret named in OPERATOR_WALLET_KEY_PARAMETER (read with the app's identity on use, then cached)."""
    from .adapters.azure_environment import VaultSecret
    from .adapters.operator_platform import OperatorPlatformClient
    from .domain.operator_wallet import OperatorBonusWallet, OperatorRefused
    from .settings import required_variable

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
