"""Ports: the small Protocols the domain needs; adapters implement them at the edge."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from .domain.audit import Anchor, AppendResult, AuditEvent, AuditRecord, ChainHead
from .domain.events import DomainEvent
{%- if cookiecutter.module_sessions %}
from .domain.sessions import Session, SessionActivity
{%- endif %}
{%- if cookiecutter.module_wallet %}
from .domain.wallet import Balance, LedgerEntry
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
{#- responsible_gaming: imports #}
{%- endif %}
{%- if cookiecutter.module_promotions %}
{#- promotions: imports #}
{%- endif %}
{%- if cookiecutter.module_notifications %}
{#- notifications: imports #}
{%- endif %}
{%- if cookiecutter.module_leaderboards %}
{#- leaderboards: imports #}
{%- endif %}
{%- if cookiecutter.module_reporting %}
{#- reporting: imports #}
{%- endif %}
{%- if cookiecutter.module_scheduled_jobs %}
{#- scheduled_jobs: imports #}
{%- endif %}


class Clock(Protocol):
    """Tells the time (UTC, timezone-aware)."""

    def now(self) -> datetime: ...


class EventPublisher(Protocol):
    """Publishes domain events to the bus; all or nothing per call is not promised."""

    def publish(self, events: Sequence[DomainEvent]) -> None: ...


class AuditLog(Protocol):
    """The hash-chained audit trail: append-only, one chain, no forks.

    An append is one atomic, conditional write: it succeeds only if the chain's head is still the one
    the new records link to, so two writers can never both extend the same record.
    """

    def append(self, events: Sequence[AuditEvent], recorded_at: datetime) -> AppendResult:
        """Link the events not recorded yet (by event id) after the head, in order, atomically.

        Events already in the chain are not written again: their sequences are returned in
        `already_recorded`. An event repeated within `events` is written once.
        """
        ...

    def head(self) -> ChainHead:
        """The newest record's sequence and hash (sequence 0 for an empty chain)."""
        ...

    def record(self, sequence: int) -> AuditRecord | None:
        """The record at `sequence`, or None."""
        ...

    def records(self) -> Iterator[AuditRecord]:
        """Every record from the first, in sequence order, as stored (for verification)."""
        ...


class AuditArchive(Protocol):
    """Write-once copies of audit records; each copy's last hash is an anchor of the chain."""

    def store(self, records: Sequence[AuditRecord]) -> None:
        """Archive records (ordered by sequence) as one object that cannot be changed or deleted."""
        ...

    def anchors(self) -> Iterator[Anchor]:
        """The last record's sequence and hash of every archived object."""
        ...
{%- if cookiecutter.module_wallet %}


class LedgerStore(Protocol):
    """The wallet's ledger and balances; the ledger is also the idempotency store.

    Every method that writes is one atomic, conditional operation: the ledger entry is written
    only if its transaction id is new, and the balance moves only if it stays >= 0. Each entry
    moves the one balance its `funds` names (cash or bonus); the other is never touched.
    """

    def balance(self, player_id: str) -> Balance | None:
        """The player's balance, or None if the player has never had money."""
        ...

    def entry(self, transaction_id: str) -> LedgerEntry | None:
        """The ledger entry with this transaction id (tombstones included)."""
        ...

    def credit(self, entry: LedgerEntry) -> None:
        """Write `entry` and add its amount to its `funds` balance, creating the balance if needed.

        Raises DuplicateTransaction if the transaction id exists, CurrencyMismatch if the
        wallet holds another currency, and for a win AlreadyReversed if its bet (the entry's
        reference) is missing or rolled back when the write commits.
        """
        ...

    def debit(self, entry: LedgerEntry) -> None:
        """Write `entry` and subtract its amount from its `funds` balance only if that stays >= 0.

        Raises DuplicateTransaction if the transaction id exists (a tombstone included),
        InsufficientFunds if that balance would go below zero (or there is no balance),
        CurrencyMismatch if the wallet holds another currency.
        """
        ...

    def reverse(self, rollback: LedgerEntry, bet: LedgerEntry) -> None:
        """Write `rollback`, mark `bet` as rolled back and give its amount back, atomically.

        The amount goes back to the rollback's `funds` balance (the wallet sets it to the bet's).

        Raises DuplicateTransaction if the rollback id exists, AlreadyReversed if the bet was
        rolled back by another transaction.
        """
        ...

    def tombstone(self, rollback: LedgerEntry, tombstone: LedgerEntry) -> None:
        """Write `rollback` and a tombstone under the unknown bet's id, atomically.

        Raises DuplicateTransaction if either id exists (the bet may have just arrived).
        """
        ...

    def entries(self, player_id: str) -> list[LedgerEntry]:
        """Every ledger entry of the player, oldest first (for reconciliation)."""
        ...
{%- endif %}
{%- if cookiecutter.module_sessions %}


class SessionStore(Protocol):
    """Player sessions and their play activity."""

    def save(self, session: Session) -> None:
        """Create the session, or update its lifecycle fields (status, last seen, end).

        The activity totals of `session` are ignored: only record_activity changes them, so a
        heartbeat racing the worker loses no activity.
        """
        ...

    def get(self, session_id: str) -> Session | None:
        """The session, or None."""
        ...

    def record_activity(self, session_id: str, event_id: str, activity: SessionActivity) -> bool:
        """Add `activity` to the session's totals once per `event_id`; False if already applied."""
        ...
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
{#- responsible_gaming: ports (Protocols), each after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_promotions %}
{#- promotions: ports (Protocols), each after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_notifications %}
{#- notifications: ports (Protocols), each after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_leaderboards %}
{#- leaderboards: ports (Protocols), each after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_reporting %}
{#- reporting: ports (Protocols), each after two blank lines #}
{%- endif %}
{%- if cookiecutter.module_scheduled_jobs %}
{#- scheduled_jobs: ports (Protocols), each after two blank lines #}
{%- endif %}
