"""Hybrid mode on GCP: the operator's wallet the bonus-paying workers credit, built on the first bonus."""

from __future__ import annotations

import os
from collections.abc import Mapping

from .adapters.operator_platform import OperatorPlatformClient
from .adapters.secret_manager import secret_reader
from .domain.operator_wallet import OperatorBonusWallet, OperatorRefused
from .settings import required_variable


def operator_bonus_wallet(environ: Mapping[str, str] = os.environ) -> OperatorBonusWallet:
    """Bonus credits to the operator's wallet (OPERATOR_WALLET_URL), signed with the key of the Secret
    Manager secret OPERATOR_WALLET_KEY_SECRET names, read on the first credit."""
    secret = environ.get("OPERATOR_WALLET_KEY_SECRET", "").strip()
    if not secret:
        # Never unsigned: without its key the push fails, is retried, then dead-lettered (and alerts).
        raise OperatorRefused("OPERATOR_WALLET_KEY_SECRET is not set: no bonus is sent unsigned")
    url = required_variable(environ, "OPERATOR_WALLET_URL")
    return OperatorBonusWallet(OperatorPlatformClient(url, secret_reader(secret, environ)))
