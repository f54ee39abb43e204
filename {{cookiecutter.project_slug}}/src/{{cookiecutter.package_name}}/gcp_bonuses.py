"""What the GCP workers that pay bonuses (promotions, leaderboards) pay them with.

The hosted wallet's ledger is the wallet's Firestore store; a grant's BonusGranted goes out with its
ledger entry, through the outbox relay. The hybrid mode's grants to the operator's wallet are not built
on GCP: that wallet's signing key is read from SSM Parameter Store (handlers/operator_wallet.py), AWS's
only, so such a push fails and is retried, then dead-lettered (infra/README.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .domain.operator_wallet import OperatorBonusWallet
    from .ports.wallet import LedgerStore


def firestore_ledger() -> LedgerStore:
    """The wallet's ledger in the casino database, built on the first bonus or settled bet."""
    from .adapters.firestore_wallet import FirestoreLedgerStore
    from .adapters.gcp_clients import database, firestore_client

    ledger: LedgerStore = FirestoreLedgerStore(database(), firestore_client())
    return ledger


def operator_wallet_on_gcp() -> OperatorBonusWallet:
    """Hybrid mode on GCP: not built (the module docstring says why)."""
    raise NotImplementedError(
        "bonuses to the operator's wallet are not built on GCP: its signing key is read from SSM "
        "Parameter Store (handlers/operator_wallet.py, AWS only); deploy the hybrid mode on AWS"
    )
