"""What the Azure workers that pay bonuses (promotions, leaderboards) pay them with.

The hosted wallet's ledger is the wallet's Table Storage store, the `Wallet` table (WALLET_TABLE_NAME;
infra/ gives these apps a role on that table only); a grant's BonusGranted goes out with its ledger
entry, through the wallet's outbox relay. In the hybrid mode (module operator_wallet) the operator's
wallet credits the bonuses instead, over signed HTTPS, signed with the project's key from Key Vault
(azure_operator_wallet.py, a file of that module only).
"""

from __future__ import annotations

import os
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


def operator_wallet_on_azure() -> OperatorBonusWallet:
    """Hybrid mode: the operator's wallet, signed with the Key Vault key (azure_operator_wallet.py)."""
    from .azure_operator_wallet import operator_wallet_signed_from_key_vault

    return operator_wallet_signed_from_key_vault()
