"""The hybrid mode's ports: the log that makes the webhook idempotent, and the operator's wallet API."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ..domain.operator_wallet import BonusCredit, Claim


class PlatformEventLog(Protocol):
    """The platform's event ids seen by the webhook, each with the fingerprint of its event.

    `claim` is one atomic, conditional write: two deliveries of one event at once never both see NEW.
    """

    def claim(self, event_id: str, digest: str, at: datetime) -> Claim:
        """Record the id with its digest unless recorded: NEW; or what the earlier claim says."""
        ...

    def mark_published(self, event_id: str) -> None:
        """Remember that the event of this id reached the bus."""
        ...


class OperatorWalletApi(Protocol):
    """The operator's seamless-wallet API, as far as the supporting modules use it: bonus credits."""

    def credit_bonus(self, credit: BonusCredit) -> None:
        """Credit the bonus once per transaction id.

        Raises ExcludedFromBonuses when the operator refuses it for the player's protection,
        OperatorRefused for another final refusal, OperatorUnavailable when a retry may succeed.
        """
        ...
