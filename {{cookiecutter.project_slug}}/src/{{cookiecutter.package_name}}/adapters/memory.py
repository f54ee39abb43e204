"""In-memory adapters: the same semantics as the cloud ones, for unit tests and local runs.

Each store guards its state with one lock, so a check and the write that depends on it are atomic
exactly like the conditional transactions of the cloud adapters.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
{%- set errors = [] %}
{%- if cookiecutter.module_wallet %}{% set errors = errors + ["CurrencyMismatch", "InsufficientFunds"] %}{% endif %}
{%- if cookiecutter.module_sessions %}{% set errors = errors + ["NotFound"] %}{% endif %}
from datetime import datetime, timedelta
{%- if cookiecutter.module_wallet %}
from typing import TYPE_CHECKING
{%- endif %}

from ..domain.audit import Anchor, AppendResult, AuditEvent, AuditRecord, ChainHead, link
{%- if errors %}
from ..domain.errors import {{ errors | join(", ") }}
{%- endif %}
from ..domain.events import DomainEvent
{%- if cookiecutter.module_responsible_gaming %}
from ..domain.responsible_gaming import (
    KycStatus,
    LimitBreached,
    PlayerProtection,
    ProtectionCheckFailed,
    TransactionGuard,
    first_breach,
)
{%- endif %}
{%- if cookiecutter.module_sessions %}
from ..domain.sessions import Session, SessionActivity
{%- endif %}
{%- if cookiecutter.module_wallet %}
from ..domain.wallet import (
    AlreadyReversed,
    Balance,
    DuplicateTransaction,
    EntryKind,
    Funds,
    IdScope,
    LedgerEntry,
)
{%- endif %}
{%- if cookiecutter.module_wallet %}

if TYPE_CHECKING:
    from ..ports import EventPublisher
{%- endif %}


class FixedClock:
    """A clock that stands still until told to move: tests decide what time it is."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back, with a negative delta)."""
        self._now += delta


class InMemoryEventPublisher:
    """Keeps every published event in `events`, in publishing order."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []
        self._lock = threading.Lock()

    def publish(self, events: Sequence[DomainEvent]) -> None:
        with self._lock:
            self.events.extend(events)


class InMemoryAuditLog:
    """The chain as a list (index = sequence - 1), its head and the recorded event ids, behind one lock."""

    def __init__(self) -> None:
        # Tests tamper with the chain and its head to prove that verification notices.
        self.chain: list[AuditRecord] = []
        self.chain_head = ChainHead()
        self._sequence_of: dict[str, int] = {}
        self._lock = threading.Lock()

    def append(self, events: Sequence[AuditEvent], recorded_at: datetime) -> AppendResult:
        with self._lock:
            already: dict[str, int] = {}
            new: list[AuditEvent] = []
            pending: set[str] = set()
            for event in events:
                if event.event_id in self._sequence_of:
                    already[event.event_id] = self._sequence_of[event.event_id]
                elif event.event_id not in pending:
                    pending.add(event.event_id)
                    new.append(event)
            records = link(self.chain_head, new, recorded_at)
            self.chain.extend(records)
            if records:
                self.chain_head = ChainHead(records[-1].sequence, records[-1].hash)
            self._sequence_of.update({record.event_id: record.sequence for record in records})
            return AppendResult(records, already)

    def head(self) -> ChainHead:
        with self._lock:
            return self.chain_head

    def record(self, sequence: int) -> AuditRecord | None:
        with self._lock:
            return self.chain[sequence - 1] if 0 < sequence <= len(self.chain) else None

    def records(self) -> Iterator[AuditRecord]:
        with self._lock:
            snapshot = list(self.chain)
        return iter(snapshot)


class InMemoryAuditArchive:
    """Archived batches of records by object key; nothing stored is ever replaced or removed."""

    def __init__(self) -> None:
        self.objects: dict[str, list[AuditRecord]] = {}
        self._lock = threading.Lock()

    def store(self, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        last = records[-1]
        with self._lock:
            self.objects.setdefault(f"{records[0].sequence}-{last.sequence}-{last.hash}", list(records))

    def anchors(self) -> Iterator[Anchor]:
        with self._lock:
            lasts = [records[-1] for records in self.objects.values()]
        return iter(sorted({Anchor(record.sequence, record.hash) for record in lasts}, key=_by_sequence))


def _by_sequence(anchor: Anchor) -> int:
    return anchor.sequence
{%- if cookiecutter.module_wallet %}


class InMemoryLedgerStore:
{%- if cookiecutter.module_responsible_gaming %}
    """Ledger entries, balances, players' protection and period counters, behind one lock.

    It is the ProtectionStore too: a guard is checked under the same lock as the money it guards.
    Committed entries' events (their outbox) are kept in `outbox`, in commit order, and handed at once
    to `relay` when one is given, as the stream publisher carries them from the table's stream.
    """

    def __init__(self, relay: EventPublisher | None = None) -> None:
        self.outbox: list[DomainEvent] = []
        self._relay = relay
        self._entries: dict[EntryKey, LedgerEntry] = {}
        self._balances: dict[str, Balance] = {}
        self._protection: dict[str, PlayerProtection] = {}
        self._counters: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
{%- else %}
    """Ledger entries by transaction id and balances by player, behind one lock.

    Committed entries' events (their outbox) are kept in `outbox`, in commit order, and handed at once
    to `relay` when one is given, as the stream publisher carries them from the table's stream.
    """

    def __init__(self, relay: EventPublisher | None = None) -> None:
        self.outbox: list[DomainEvent] = []
        self._relay = relay
        self._entries: dict[EntryKey, LedgerEntry] = {}
        self._balances: dict[str, Balance] = {}
        self._lock = threading.Lock()
{%- endif %}

    def balance(self, player_id: str) -> Balance | None:
        with self._lock:
            return self._balances.get(player_id)

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        with self._lock:
            return self._entries.get((player_id, scope, transaction_id))

{%- if cookiecutter.module_responsible_gaming %}

    def credit(self, entry: LedgerEntry, guard: TransactionGuard | None = None) -> None:
{%- else %}

    def credit(self, entry: LedgerEntry) -> None:
{%- endif %}
        with self._lock:
            self._refuse_duplicate(entry)
            current = self._balances.get(entry.player_id)
            if current is not None and current.currency != entry.currency:
                raise _currency_mismatch(current, entry)
            if entry.kind is EntryKind.WIN and entry.reference is not None:
                bet = self._entries.get((entry.player_id, IdScope.GAME, entry.reference))
                if bet is None or bet.reversed_by is not None:
                    raise AlreadyReversed(entry.reference)
{%- if cookiecutter.module_responsible_gaming %}
            self._check(guard)
{%- endif %}
            self._entries[_key(entry)] = entry
            self._add(entry.player_id, entry.currency, entry.funds, entry.amount)
{%- if cookiecutter.module_responsible_gaming %}
            self._count(guard)
{%- endif %}
            self._committed(entry)
{% if cookiecutter.module_responsible_gaming %}
    def debit(self, entry: LedgerEntry, guard: TransactionGuard | None = None) -> None:
{%- else %}
    def debit(self, entry: LedgerEntry) -> None:
{%- endif %}
        with self._lock:
            self._refuse_duplicate(entry)
            current = self._balances.get(entry.player_id)
            if current is None:
                raise InsufficientFunds("the player has no balance")
            if current.currency != entry.currency:
                raise _currency_mismatch(current, entry)
            if _held(current, entry.funds) < entry.amount:
                raise InsufficientFunds(f"the {entry.kind} would take the {entry.funds} balance below zero")
{%- if cookiecutter.module_responsible_gaming %}
            self._check(guard)
{%- endif %}
            self._entries[_key(entry)] = entry
            self._add(entry.player_id, entry.currency, entry.funds, -entry.amount)
{%- if cookiecutter.module_responsible_gaming %}
            self._count(guard)
{%- endif %}
            self._committed(entry)
{% if cookiecutter.module_responsible_gaming %}
    def reverse(self, rollback: LedgerEntry, bet: LedgerEntry, guard: TransactionGuard | None = None) -> None:
{%- else %}
    def reverse(self, rollback: LedgerEntry, bet: LedgerEntry) -> None:
{%- endif %}
        with self._lock:
            self._refuse_duplicate(rollback)
            stored = self._entries.get(_key(bet))
            if stored is None:
                raise LookupError(f"bet {bet.transaction_id} is not in the ledger")
            if stored.reversed_by is not None:
                raise AlreadyReversed(bet.transaction_id)
{%- if cookiecutter.module_responsible_gaming %}
            self._check(guard)
{%- endif %}
            self._entries[_key(rollback)] = rollback
            self._entries[_key(bet)] = replace(stored, reversed_by=rollback.transaction_id)
            self._add(rollback.player_id, rollback.currency, rollback.funds, rollback.amount)
{%- if cookiecutter.module_responsible_gaming %}
            self._count(guard)
{%- endif %}
            self._committed(rollback)

    def tombstone(self, rollback: LedgerEntry, tombstone: LedgerEntry) -> None:
        with self._lock:
            self._refuse_duplicate(rollback)
            self._refuse_duplicate(tombstone)
            self._entries[_key(rollback)] = rollback
            self._entries[_key(tombstone)] = tombstone
            self._committed(rollback, tombstone)

    def entries(self, player_id: str) -> list[LedgerEntry]:
        with self._lock:
            mine = [entry for entry in self._entries.values() if entry.player_id == player_id]
        return sorted(mine, key=lambda entry: (entry.created_at, entry.transaction_id))

{%- if cookiecutter.module_responsible_gaming %}

    def protection(self, player_id: str) -> PlayerProtection | None:
        with self._lock:
            return self._protection.get(player_id)

    def save_protection(self, protection: PlayerProtection) -> None:
        with self._lock:
            stored = self._protection.get(protection.player_id)
            if (0 if stored is None else stored.version) != protection.version - 1:
                raise ProtectionCheckFailed(protection.player_id)
            self._protection[protection.player_id] = protection

    def period_totals(self, player_id: str, counter_ids: Sequence[str]) -> dict[str, int]:
        with self._lock:
            return {
                name: self._counters[(player_id, name)]
                for name in counter_ids
                if (player_id, name) in self._counters
            }

    def _check(self, guard: TransactionGuard | None) -> None:
        """What a DynamoDB guard's ConditionCheck and counter conditions check (the caller holds the lock)."""
        if guard is None:
            return
        if guard.checks_protection:
            stored = self._protection.get(guard.player_id)
            blocked_until = None if stored is None else stored.blocked_until
            if guard.version is not None and (
                stored is None or stored.version != guard.version or stored.kyc is not KycStatus.VERIFIED
            ):
                raise ProtectionCheckFailed(guard.player_id)
            checked_at = guard.checked_at
            if blocked_until is not None and checked_at is not None and blocked_until > checked_at:
                raise ProtectionCheckFailed(guard.player_id)
        breach = first_breach(guard)
        if breach is not None:
            raise LimitBreached(breach)
        for count in guard.counts:
            total = self._counters.get((guard.player_id, count.counter_id), 0)
            if count.cap is not None and total + count.delta > count.cap:
                raise LimitBreached(count)

    def _count(self, guard: TransactionGuard | None) -> None:
        if guard is None:
            return
        for count in guard.counts:
            key = (guard.player_id, count.counter_id)
            self._counters[key] = self._counters.get(key, 0) + count.delta
{%- endif %}

    def _committed(self, *entries: LedgerEntry) -> None:
        """Keep the entries without their outbox, and pass the outbox on (the caller holds the lock)."""
        for entry in entries:
            self._entries[_key(entry)] = replace(self._entries[_key(entry)], events=())
            self.outbox.extend(entry.events)
            if self._relay is not None and entry.events:
                self._relay.publish(entry.events)

    def _refuse_duplicate(self, entry: LedgerEntry) -> None:
        if _key(entry) in self._entries:
            raise DuplicateTransaction(entry.transaction_id)

    def _add(self, player_id: str, currency: str, funds: Funds, amount: int) -> None:
        current = self._balances.get(player_id) or Balance(player_id, currency, cash=0)
        if funds is Funds.BONUS:
            self._balances[player_id] = replace(current, bonus=current.bonus + amount)
        else:
            self._balances[player_id] = replace(current, cash=current.cash + amount)


# A ledger entry's identity: transaction ids are unique per player and per scope (domain.wallet.IdScope).
EntryKey = tuple[str, IdScope, str]


def _key(entry: LedgerEntry) -> EntryKey:
    return (entry.player_id, entry.kind.scope, entry.transaction_id)


def _held(balance: Balance, funds: Funds) -> int:
    return balance.bonus if funds is Funds.BONUS else balance.cash


def _currency_mismatch(balance: Balance, entry: LedgerEntry) -> CurrencyMismatch:
    return CurrencyMismatch(f"the wallet holds {balance.currency}, not {entry.currency}", field="currency")
{%- endif %}
{%- if cookiecutter.module_sessions %}


class InMemorySessionStore:
    """Sessions by id plus the event ids already added to each session's activity."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._applied: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def save(self, session: Session) -> None:
        with self._lock:
            stored = self._sessions.get(session.session_id)
            activity = stored.activity if stored else SessionActivity()
            self._sessions[session.session_id] = replace(session, activity=activity)

    def get(self, session_id: str) -> Session | None:
        with self._lock:
            return self._sessions.get(session_id)

    def record_activity(self, session_id: str, event_id: str, activity: SessionActivity) -> bool:
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                raise NotFound(f"session {session_id} does not exist")
            if (session_id, event_id) in self._applied:
                return False
            self._applied.add((session_id, event_id))
            totals = SessionActivity(
                bets=session.activity.bets + activity.bets,
                staked=session.activity.staked + activity.staked,
                won=session.activity.won + activity.won,
            )
            self._sessions[session_id] = replace(session, activity=totals)
            return True
{%- endif %}
