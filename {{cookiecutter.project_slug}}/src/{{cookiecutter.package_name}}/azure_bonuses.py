"""What the Azure workers that pay bonuses (promotions, leaderboards) pay them with.

The hosted wallet's ledger is the wallet's Table Storage store, the `Wallet` table (WALLET_TABLE_NAME;
infra/ gives these apps a role on that table only); a grant's BonusGranted goes out with its ledger
entry, through the wallet's outbox relay. The hybrid mode's grants to the operator's wallet are not
built on Azure: that wallet's signing key is read from SSM Parameter Store (handlers/operator_wallet.py,
AWS only), so such a message fails and is retried, then poisoned (infra/README.md).
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
    """Hybrid mode on Azure: not built (the module docstring says why)."""
    raise NotImplementedError(
        "bonuses to the operator's wallet are not built on Azure: its signing key is read from SSM "
        "Parameter Store (handlers/operator_wallet.py, AWS only); deploy the hybrid mode on AWS"
    )
