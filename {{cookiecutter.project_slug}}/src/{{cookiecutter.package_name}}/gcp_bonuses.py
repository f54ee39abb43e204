"""What the GCP workers that pay bonuses (promotions, leaderboards) pay them with.

The hosted wallet's ledger is the wallet's Firestore store; a grant's BonusGranted goes out with its
ledger entry, through the outbox relay. In hybrid mode the bonus goes to the operator's wallet over
signed HTTPS, signed with the key of the Secret Manager secret OPERATOR_WALLET_KEY_SECRET names
(infra/modules/operator_wallet): never unsigned, so without it the push fails and is retried, then
dead-lettered.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
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


def operator_wallet_on_gcp(environ: Mapping[str, str] = os.environ) -> OperatorBonusWallet:
    """Hybrid mode: bonus credits to the operator's wallet (OPERATOR_WALLET_URL), signed with the key of
    the Secret Manager secret OPERATOR_WALLET_KEY_SECRET names, read on the first credit."""
    from .adapters.operator_platform import OperatorPlatformClient
    from .adapters.secret_manager import secret_reader
    from .domain.operator_wallet import OperatorBonusWallet, OperatorRefused
    from .settings import required_variable

    secret = environ.get("OPERATOR_WALLET_KEY_SECRET", "").strip()
    if not secret:
        # Never unsigned: without its key the push fails, is retried, then dead-lettered (and alarms).
        raise OperatorRefused("OPERATOR_WALLET_KEY_SECRET is not set: no bonus is sent unsigned")
    url = required_variable(environ, "OPERATOR_WALLET_URL")
    return OperatorBonusWallet(OperatorPlatformClient(url, secret_reader(secret, environ)))
