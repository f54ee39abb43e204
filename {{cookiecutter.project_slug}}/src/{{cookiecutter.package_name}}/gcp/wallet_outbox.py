"""The walletOutbox function: the wallet's outbox relay (adapters/firestore_outbox.py)."""

from __future__ import annotations

from ..adapters.firestore_outbox import wallet_outbox

__all__ = ["wallet_outbox"]
