"""What the GCP workers that pay bonuses (promotions, leaderboards) pay them with.

The hosted wallet's ledger is the wallet's Firestore store; a grant's BonusGranted goes out with its
ledger entry, through the outbox relay. In hybrid mode the bonus goes to the operator's wallet over
signed HTTPS, signed with the key of the Secret Manager secret OPERATOR_WALLET_KEY_SECRET names
(infra/modules/operator_wallet, built in gcp_operator_wallet.py): never unsigned, so without it the
push fails and is retried, then dead-lettered.
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
    """Hybrid mode: the operator's wallet, its key from Secret Manager (gcp_operator_wallet.py)."""
    from .gcp_operator_wallet import operator_bonus_wallet

    return operator_bonus_wallet()
