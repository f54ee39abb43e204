"""Wallet: deposits, bets, wins and rollbacks in integer minor units, idempotent by transaction id."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .errors import DomainError


class EntryKind(StrEnum):
    """What a ledger entry records."""

    DEPOSIT = "deposit"
    BET = "bet"
    WIN = "win"
    ROLLBACK = "rollback"
    # Written under the id of a bet that was rolled back before it arrived: refuses the late bet.
    TOMBSTONE = "tombstone"


@dataclass(frozen=True, slots=True)
class Balance:
    """Cash and bonus money of one player, in minor units of one currency."""

    player_id: str
    currency: str
    cash: int
    bonus: int = 0


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One transaction, kept forever; its id is the idempotency key."""

    transaction_id: str
    player_id: str
    kind: EntryKind
    amount: int
    currency: str
    fingerprint: str
    created_at: datetime
    reference: str | None = None  # the bet a win or rollback refers to
    reversed_by: str | None = None  # the rollback that reversed this bet

    @property
    def signed_amount(self) -> int:
        """The entry's effect on the cash balance."""
        if self.kind in (EntryKind.DEPOSIT, EntryKind.WIN, EntryKind.ROLLBACK):
            return self.amount
        if self.kind is EntryKind.BET:
            return -self.amount
        return 0


def fingerprint(*parts: object) -> str:
    """Hash of a request's meaningful fields: the same id with another payload is a conflict."""
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()


class DuplicateTransaction(Exception):
    """Raised by a LedgerStore when the transaction id already exists (adapter-level signal)."""

    def __init__(self, transaction_id: str) -> None:
        super().__init__(transaction_id)
        self.transaction_id = transaction_id


class AlreadyReversed(Exception):
    """Raised by a LedgerStore when the bet was already rolled back by another transaction."""


__all__ = [
    "AlreadyReversed",
    "Balance",
    "DomainError",
    "DuplicateTransaction",
    "EntryKind",
    "LedgerEntry",
    "fingerprint",
]
