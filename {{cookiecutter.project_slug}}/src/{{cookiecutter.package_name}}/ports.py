"""Ports: the small Protocols the domain needs; adapters implement them at the edge."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from .domain.audit import Anchor, AppendResult, AuditEvent, AuditRecord, ChainHead
from .domain.events import DomainEvent
{%- if cookiecutter.module_responsible_gaming %}
from .domain.responsible_gaming import PlayerProtection, TransactionGuard
{%- endif %}
{%- if cookiecutter.module_sessions %}
from .domain.sessions import Session, SessionActivity
{%- endif %}
{%- if cookiecutter.module_wallet %}
from .domain.wallet import Balance, IdScope, LedgerEntry
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
{#- responsible_gaming: imports (sorted above, before sessions) #}
{%- endif %}
{%- if cookiecutter.module_promotions %}

# isort: split
from .domain.promotions import BonusGrant, CountedStake, WageringProgress
{%- endif %}
{%- if cookiecutter.module_notifications %}

# isort: split
from .domain.notifications import Claim, Delivery, Notification, NotificationPreferences
{%- endif %}
{%- if cookiecutter.module_leaderboards %}

# isort: split
from .domain.leaderboards import BoardWindow, MissionProgress, MissionWindow, ScoredPlay, TournamentEntry
from .domain.money import Money
{%- endif %}
{%- if cookiecutter.module_reporting %}

# The module blocks are in manifest order, not alphabetical: this one is sorted on its own.
# isort: split
from .domain.reporting import DailyGgrReport, DailyTotals, GgrDay, Play
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


class AuditRecordSink(Protocol):
    """Where appended audit records go to be archived: the archive itself, or a queue in front of it."""

    def store(self, records: Sequence[AuditRecord]) -> None:
        """Archive records (ordered by sequence), or hand them durably to what archives them."""
        ...


class AuditArchive(AuditRecordSink, Protocol):
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

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        """The player's ledger entry with this id in this scope (tombstones included).

        Transaction ids are unique per player and per scope (`IdScope`), never across them.
        """
        ...

{%- if cookiecutter.module_responsible_gaming %}

    # With a guard, each write below also checks the guard's protection version (KYC verified, not
    # excluded at its time; a bonus grant's guard without a version: only not excluded) and moves its
    # period counters within their caps, in the same atomic operation: ProtectionCheckFailed or
    # LimitBreached then, and nothing is written.
    def credit(self, entry: LedgerEntry, guard: TransactionGuard | None = None) -> None:
{%- else %}

    def credit(self, entry: LedgerEntry) -> None:
{%- endif %}
        """Write `entry` and add its amount to its `funds` balance, creating the balance if needed.

        Raises DuplicateTransaction if the transaction id exists, CurrencyMismatch if the
        wallet holds another currency, and for a win AlreadyReversed if its bet (the entry's
        reference) is missing or rolled back when the write commits.
        """
        ...
{% if cookiecutter.module_responsible_gaming %}
    def debit(self, entry: LedgerEntry, guard: TransactionGuard | None = None) -> None:
{%- else %}
    def debit(self, entry: LedgerEntry) -> None:
{%- endif %}
        """Write `entry` and subtract its amount from its `funds` balance only if that stays >= 0.

        What bets and withdrawals write (a withdrawal's funds are always cash).

        Raises DuplicateTransaction if the transaction id exists (a tombstone included),
        InsufficientFunds if that balance would go below zero (or there is no balance),
        CurrencyMismatch if the wallet holds another currency.
        """
        ...
{% if cookiecutter.module_responsible_gaming %}
    def reverse(self, rollback: LedgerEntry, bet: LedgerEntry, guard: TransactionGuard | None = None) -> None:
{%- else %}
    def reverse(self, rollback: LedgerEntry, bet: LedgerEntry) -> None:
{%- endif %}
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


class ProtectionStore(Protocol):
    """Players' protection (KYC, limits, exclusions) and period counters, next to their wallet.

    The wallet's LedgerStore enforces the same records inside its transactions (its guards), so one
    adapter implements both ports over one table.
    """

    def balance(self, player_id: str) -> Balance | None:
        """The player's wallet balance (limits are set in its currency), or None."""
        ...

    def protection(self, player_id: str) -> PlayerProtection | None:
        """The player's stored protection, or None if nothing was ever stored."""
        ...

    def save_protection(self, protection: PlayerProtection) -> None:
        """Store `protection` only if the stored one is at `protection.version - 1` (absent for 1).

        Raises ProtectionCheckFailed otherwise: another change came first (read again, decide again).
        """
        ...

    def period_totals(self, player_id: str, counter_ids: Sequence[str]) -> dict[str, int]:
        """The running totals of these counters (see responsible_gaming.counter_id); absent ones left out."""
        ...
{%- endif %}
{%- if cookiecutter.module_promotions %}


class LedgerReader(Protocol):
    """Reads one ledger entry (a LedgerStore is one): promotions look up the stake of a settled bet."""

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        """The player's ledger entry with this id in this scope, or None."""
        ...


class PromotionStore(Protocol):
    """Promotion grants, the counts behind their triggers, and wagering, all idempotent per event.

    Every method that writes is one atomic, conditional operation, so a redelivered event or two
    workers handling events of one player at once never count anything twice.
    """

    def grant(self, player_id: str, promotion_id: str) -> BonusGrant | None:
        """The player's grant of this promotion, or None."""
        ...

    def grants(self, player_id: str) -> list[BonusGrant]:
        """Every grant of the player (any order)."""
        ...

    def record_grant(self, grant: BonusGrant) -> bool:
        """Record a grant unless the player already has one of this promotion (then False, unchanged)."""
        ...

    def claim_first_deposit(self, player_id: str, event_id: str) -> bool:
        """True if `event_id` is the player's first deposit seen: newly claimed, or claimed by it before."""
        ...

    def count_bet(self, player_id: str, promotion_id: str, day: str, event_id: str) -> int:
        """Count the bet toward the promotion's count of `day` (a UTC date, 2030-01-31) once per event id.

        Returns the day's count after it, also when the event was counted before.
        """
        ...

    def count_stake(
        self, player_id: str, stake: CountedStake, progress: Sequence[WageringProgress], at: datetime
    ) -> CountedStake:
        """Move the grants' wagering by `progress` and remember the stake, atomically, once per bet.

        Returns `stake` when it was counted now, or the stake counted earlier for the same bet (then
        nothing moves). Raises WageringContention if a grant's wagering is no longer `before`; a
        grant that `progress` completes is marked complete at `at`.
        """
        ...

    def counted_stake(self, player_id: str, bet_transaction_id: str) -> CountedStake | None:
        """The stake counted for this bet, or None."""
        ...
{%- endif %}
{%- if cookiecutter.module_notifications %}


class NotificationStore(Protocol):
    """Players' notification preferences and the once-per-event delivery markers."""

    def preferences(self, player_id: str) -> NotificationPreferences | None:
        """The player's stored preferences, or None if nothing was ever stored."""
        ...

    def set_choices(self, player_id: str, marketing: bool | None, email: str | None, at: datetime) -> None:
        """Store the player's own choices (an email of None removes it); the exclusion is kept."""
        ...

    def record_exclusion(self, player_id: str, until: datetime) -> None:
        """Record a self-exclusion; of two, the later end is kept (recording one again changes nothing)."""
        ...

    def claim(self, notification_id: str, now: datetime, lease_until: datetime) -> Claim:
        """Claim the delivery of a notification atomically.

        CLAIMED if it was never claimed or its claim expired (lease_until is the new claim's end),
        DONE with the recorded outcome if it was marked done, BUSY if another claim is still running.
        """
        ...

    def mark_done(self, notification_id: str, outcome: Delivery) -> None:
        """Mark the claimed delivery finished with `outcome`; later claims answer DONE."""
        ...

    def release(self, notification_id: str) -> None:
        """Give back an unfinished claim (the send failed), so the next delivery can claim it."""
        ...


class NotificationChannel(Protocol):
    """Where notifications go (SNS, SES, the log); `name` says which in NotificationSent events."""

    @property
    def name(self) -> str: ...

    def deliver(self, notification: Notification) -> None:
        """Send the notification; raise Undeliverable if this channel cannot reach the player."""
        ...
{%- endif %}
{%- if cookiecutter.module_leaderboards %}


class LeaderboardStore(Protocol):
    """Board scores, mission progress and tournament entries.

    `record_play` is one atomic, conditional write: every increment of a play is applied together,
    once per event id, so a redelivered event or two workers handling it at once count it once.
    """

    def record_play(self, play: ScoredPlay) -> bool:
        """Add the play's scores and mission steps once per event id; False if already applied."""
        ...

    def score(self, board: BoardWindow, player_id: str) -> int | None:
        """The player's score in the board window, or None if the player has none."""
        ...

    def top(self, board: BoardWindow, limit: int) -> list[tuple[str, int]]:
        """Up to `limit` (player id, score) pairs, highest score first; the order of ties is unspecified."""
        ...

    def players_ahead(self, board: BoardWindow, score: int) -> int:
        """How many players of the board window have a score above `score`."""
        ...

    def progress(
        self, player_id: str, missions: Sequence[MissionWindow]
    ) -> dict[MissionWindow, MissionProgress]:
        """The player's progress in each mission window that has any (others are left out)."""
        ...

    def mark_rewarded(self, player_id: str, mission: MissionWindow) -> bool:
        """Record that the mission window's reward was paid; False if it was already recorded."""
        ...

    def enter(self, entry: TournamentEntry) -> bool:
        """Record the entry unless the player already entered that window (then False, unchanged)."""
        ...

    def entries(self, player_id: str, tournaments: Sequence[BoardWindow]) -> dict[BoardWindow, datetime]:
        """When the player entered each of these tournament windows (windows not entered are left out)."""
        ...


class BonusGranter(Protocol):
    """Pays bonus money idempotently by transaction id (the Wallet): mission rewards."""

    def grant_bonus(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> object:
        """Credit the bonus once; a replayed transaction id pays nothing more."""
        ...
{%- endif %}
{%- if cookiecutter.module_reporting %}


class GgrTotalsStore(Protocol):
    """Daily play totals per currency, each wallet event counted once."""

    def add(self, play: Play) -> bool:
        """Add `play`'s totals to its day and currency once per event id; False if already added.

        The marker of the event id and the addition are one atomic write: a redelivered event, even
        one racing its first delivery, is counted once.
        """
        ...

    def day_totals(self, day: GgrDay) -> list[DailyTotals]:
        """Every currency's totals of `day`, ordered by currency (empty for a day without play)."""
        ...


class ReportWriter(Protocol):
    """Stores reports where finance and the regulator's tools read them."""

    def write(self, report: DailyGgrReport) -> tuple[str, ...]:
        """Store every file of `report` under its key and return where they are.

        Writing the same report again leaves the same objects (a file whose bytes are unchanged is
        not rewritten); a changed report replaces them.
        """
        ...
{%- endif %}
{%- if cookiecutter.module_scheduled_jobs %}


class TimeBudget(Protocol):
    """Whether a scheduled run must stop now to finish before its function's timeout."""

    def exhausted(self) -> bool: ...


class WalletScanner(Protocol):
    """The wallet's table read whole, page by page, for the scheduled jobs (reconciliation, export).

    Items that are neither balances nor ledger entries are skipped. Iterating lazily fetches the next
    page only when it is needed, so a job that stops early reads no further.
    """

    def player_ids(self) -> Iterator[str]:
        """The id of every player who has a balance, each once, in no particular order."""
        ...

    def entries_created_between(self, start: datetime, end: datetime) -> Iterator[LedgerEntry]:
        """Every ledger entry created at or after `start` and before `end` (tombstones included)."""
        ...


class SessionHousekeeping(Protocol):
    """Scans of the sessions table for the cleanup and the purge, and the purge's delete."""

    def idle_session_ids(self, seen_before: datetime) -> Iterator[str]:
        """Ids of active sessions last heard from before `seen_before` (as scanned: read them again)."""
        ...

    def ended_session_ids(self, ended_before: datetime) -> Iterator[str]:
        """Ids of ended sessions whose end is before `ended_before`."""
        ...

    def purge_session(self, session_id: str, ended_before: datetime) -> bool:
        """Delete the session record only if it is ended and ended before `ended_before`.

        Returns False (and deletes nothing) otherwise, or if it is already gone. Its activity markers
        are not touched: they expire by themselves.
        """
        ...


class ExportSink(Protocol):
    """Where exports are written: one object per key, replaced whole by a new write."""

    def write(self, key: str, lines: Iterator[str]) -> int:
        """Store `lines` (each without its newline) as the object `key`; returns its size in bytes.

        If iterating `lines` raises, nothing is stored (the object that was there stays) and the
        exception propagates.
        """
        ...
{%- endif %}
