"""The wallet's Firestore store (native mode, the casino's named database): ledger, balances, protection.

Document layout, all of a player's money under the player's own document:
- balance          players/<player_id>  currency, cash, bonus, balance_version (one more with every write
                   of the balance: a write conditioned on the version it read knows the balance it leaves)
- ledger entry     players/<player_id>/ledger/<scope>#<transaction_id>  (scope: payment, game or system:
                   ids are unique per player and per scope, domain.wallet.IdScope) transaction_id,
                   player_id, kind, amount, currency, funds, fingerprint, created_at,
                   entry_sort=<created_at>#<transaction_id>, reference?, reversed_by?, round_id?,
                   closes_round?, round_payable?, outbox? (the transaction's domain events as JSON, written
                   with the entry: the Firestore trigger on new ledger entries carries them to the bus,
                   as the DynamoDB stream does on AWS; infra/modules/wallet), outbox_pending? (the
                   commit time, until the relay has published the outbox: adapters/firestore_outbox.py),
                   outbox_trace? (the trace context of the request that wrote it, sent on with its events)
- round            players/<player_id>/rounds/<round_id>  round_id, stakes, paid, payable, closed_by?
- protection       players/<player_id>/protection/current  kyc, version, limits and pending (JSON),
                   self_excluded_until?, cooling_off_until?, blocked_until? (the later of the two)
- period counter   players/<player_id>/limits/<kind>#<period>#<period key>  total
- session          <sessions_collection>/<session_id>  player_id, status (the sessions module's record,
                   only read: a bet that needs its session checks it in its own transaction)

Document ids are the API's identifiers as they are (api/schemas.py: letters, digits and ._:-, never a
slash, never starting with an underscore), so no id can reach another document.

Why this layout: a money operation touches one player only, so every document it reads and writes is
in that player's subtree, and the ledger is a per-player collection a reconciliation reads in order
(entry_sort, Firestore's automatic single-field index) without a composite index. The balance is the
player's own document: the one document every money operation of the player writes. Firestore sustains
about one write per second per document (more in bursts), so it bounds one player's money operations;
infra/README.md ("One player's document is the limit") says what the wallet does about it
and what to choose for more.

Every change is ONE Firestore transaction: one read of the documents it depends on (BatchGetDocuments
inside the transaction), the same checks as the in-memory store, and one commit of the entry, the
balance, the round, the guard's counters and the outbox record, all or nothing. The wallet reads what it
needs before it in ONE BatchGetDocuments (snapshot). A refusal raises before the commit: the transaction
is rolled back and nothing is written. Contention aborts are retried by the client library
(`attempts`); the database runs in pessimistic concurrency mode (infra/main.tf), so writers of one
player queue on the balance document's lock rather than failing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from google.cloud import firestore

from ..domain.errors import CurrencyMismatch
from ..domain.wallet import (
    AlreadyReversed,
    Balance,
    BalanceMoved,
    DuplicateTransaction,
    EntryKind,
    Funds,
    FundsShort,
    IdScope,
    LedgerEntry,
    NotInRound,
    Round,
    RoundCapExceeded,
    RoundClosed,
    RoundHasWins,
    SessionRequired,
    WalletSnapshot,
)
from ..gcp_trace import current_traceparent
from .document_records import protection_fields, protection_from_fields, timestamp

if TYPE_CHECKING:
    from ..domain.guard import PlayerProtection, TransactionGuard

# The guard's domain is imported where a guard that checks or counts, or a protection record, is handled:
# a function that pays a bonus or reads the ledger without them does not load it.

Document = dict[str, Any]
PLAYERS = "players"
PROTECTION_ID = "current"
BALANCE_VERSION = "balance_version"
# Set on an entry with an outbox until the relay has published it (adapters/firestore_outbox.py).
OUTBOX_PENDING = "outbox_pending"
# The `traceparent` of the request that wrote an entry's outbox: its events carry it (observability.py).
OUTBOX_TRACE = "outbox_trace"
# How often one money operation's transaction is tried when Firestore aborts it for contention.
ATTEMPTS = 10


@dataclass
class _Writes:
    """What one transaction commits: documents created (must not exist) or set whole."""

    create: dict[str, Document] = field(default_factory=dict)
    put: dict[str, Document] = field(default_factory=dict)


class FirestoreLedgerStore:
    """The wallet's ledger and balances in Firestore, with the protection records guarding them.

    It is the ProtectionStore too: a guard's checks and counters are documents of the money's own
    transaction. `sessions_collection`: where a bet's session is checked (the sessions module's
    documents, read-only); none: a bet that needs a session is refused.
    """

    def __init__(
        self,
        database: str,
        client: Any | None = None,
        *,
        project: str | None = None,
        sessions_collection: str | None = None,
        attempts: int = ATTEMPTS,
    ) -> None:
        self.client = client if client is not None else firestore.Client(project=project, database=database)
        self.sessions_collection = sessions_collection
        self.attempts = attempts

    # --- reads -------------------------------------------------------------------------------------

    def balance(self, player_id: str) -> Balance | None:
        found = self._get(_player_path(player_id))
        return None if found is None else _balance_from(player_id, found)

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        found = self._get(_entry_path(player_id, scope, transaction_id))
        return None if found is None else _entry_from(found)

    def round(self, player_id: str, round_id: str) -> Round | None:
        found = self._get(_round_path(player_id, round_id))
        return None if found is None else _round_from(player_id, found)

    def snapshot(
        self,
        player_id: str,
        scope: IdScope,
        transaction_id: str,
        *,
        bet_transaction_id: str | None = None,
        protection: bool = False,
    ) -> WalletSnapshot:
        # One BatchGetDocuments outside a transaction: every value read is checked again by the write's
        # own transaction, so a read lock here would buy nothing but contention.
        balance_path = _player_path(player_id)
        entry_path = _entry_path(player_id, scope, transaction_id)
        bet_path = None
        if bet_transaction_id is not None:
            bet_path = _entry_path(player_id, IdScope.GAME, bet_transaction_id)
        protection_path = _protection_path(player_id)
        wanted = [balance_path, entry_path]
        if bet_path is not None:
            wanted.append(bet_path)
        if protection:
            wanted.append(protection_path)
        found = self._get_all(wanted)
        balance, existing = found.get(balance_path), found.get(entry_path)
        bet = None if bet_path is None else found.get(bet_path)
        read_protection = None
        if protection:
            stored = found.get(protection_path)
            if stored is None:
                from ..domain.guard import PlayerProtection

                read_protection = PlayerProtection(player_id)
            else:
                read_protection = _protection_from(player_id, stored)
        return WalletSnapshot(
            balance=None if balance is None else _balance_from(player_id, balance),
            existing=None if existing is None else _entry_from(existing),
            bet=None if bet is None else _entry_from(bet),
            protection=read_protection,
        )

    def entries(self, player_id: str) -> list[LedgerEntry]:
        ledger = self.client.collection(f"{_player_path(player_id)}/ledger")
        return [_entry_from(found.to_dict()) for found in ledger.order_by("entry_sort").stream()]

    # --- money: one transaction each ---------------------------------------------------------------

    def credit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        player = entry.player_id
        wanted = [_player_path(player), _entry_key(entry)]
        bet_path = round_path = None
        if entry.kind is EntryKind.WIN and entry.reference is not None:
            bet_path = _entry_path(player, IdScope.GAME, entry.reference)
            wanted.append(bet_path)
        if entry.kind is EntryKind.WIN and entry.round_id is not None:
            round_path = _round_path(player, entry.round_id)
            wanted.append(round_path)

        def decide(found: dict[str, Document], writes: _Writes) -> None:
            _refuse_duplicate(found, entry)
            current = _balance_or_none(player, found)
            _refuse_moved(current, at_version)
            if current is not None and current.currency != entry.currency:
                raise _currency_mismatch(current, entry)
            if bet_path is not None:
                bet = found.get(bet_path)
                if bet is None or "reversed_by" in bet:
                    raise AlreadyReversed(entry.reference)
            if round_path is not None:
                writes.put[round_path] = _round_paying(found.get(round_path), entry)
            _check_guard(found, guard, writes)
            writes.create[_entry_key(entry)] = _entry_to(entry)
            writes.put[_player_path(player)] = _moved(current, entry, entry.amount)

        self._transact(wanted + _guard_paths(guard), decide)

    def debit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        player = entry.player_id
        wanted = [_player_path(player), _entry_key(entry)]
        round_path = session_path = None
        if entry.kind is EntryKind.BET and entry.round_id is not None:
            round_path = _round_path(player, entry.round_id)
            wanted.append(round_path)
        if entry.session_check is not None and self.sessions_collection is not None:
            session_path = f"{self.sessions_collection}/{entry.session_check}"
            wanted.append(session_path)

        def decide(found: dict[str, Document], writes: _Writes) -> None:
            _refuse_duplicate(found, entry)
            current = _balance_or_none(player, found)
            _refuse_moved(current, at_version)
            if current is None:
                raise FundsShort("the player has no balance", balance=None)
            if current.currency != entry.currency:
                raise _currency_mismatch(current, entry)
            if _held(current, entry.funds) < entry.amount:
                raise FundsShort(
                    f"the {entry.kind} would take the {entry.funds} balance below zero", balance=current
                )
            if round_path is not None:
                writes.put[round_path] = _round_staking(found.get(round_path), entry)
            if entry.session_check is not None:
                # No sessions to check against (session_path None) fails closed, as a missing session does.
                session = {} if session_path is None else found.get(session_path) or {}
                if session.get("status") != "active" or session.get("player_id") != player:
                    raise SessionRequired("a bet needs the player's active session", field="session_id")
            _check_guard(found, guard, writes)
            writes.create[_entry_key(entry)] = _entry_to(entry)
            writes.put[_player_path(player)] = _moved(current, entry, -entry.amount)

        self._transact(wanted + _guard_paths(guard), decide)

    def reverse(
        self,
        rollback: LedgerEntry,
        bet: LedgerEntry,
        guard: TransactionGuard | None = None,
        at_version: int | None = None,
    ) -> None:
        player = rollback.player_id
        bet_path = _entry_key(bet)
        wanted = [_player_path(player), _entry_key(rollback), bet_path]
        round_path = None
        if bet.round_id is not None:
            round_path = _round_path(player, bet.round_id)
            wanted.append(round_path)

        def decide(found: dict[str, Document], writes: _Writes) -> None:
            _refuse_duplicate(found, rollback)
            stored = found.get(bet_path)
            if stored is None:
                raise LookupError(f"bet {bet.transaction_id} is not in the ledger")
            if "reversed_by" in stored:
                raise AlreadyReversed(bet.transaction_id)
            current = _balance_or_none(player, found)
            _refuse_moved(current, at_version)
            if round_path is not None and round_path in found:
                writes.put[round_path] = _round_refunding(found[round_path], rollback, bet)
            _check_guard(found, guard, writes)
            writes.create[_entry_key(rollback)] = _entry_to(rollback)
            writes.put[bet_path] = {**stored, "reversed_by": rollback.transaction_id}
            writes.put[_player_path(player)] = _moved(current, rollback, rollback.amount)

        self._transact(wanted + _guard_paths(guard), decide)

    def tombstone(self, rollback: LedgerEntry, tombstone: LedgerEntry) -> None:
        def decide(found: dict[str, Document], writes: _Writes) -> None:
            _refuse_duplicate(found, rollback)
            _refuse_duplicate(found, tombstone)
            writes.create[_entry_key(rollback)] = _entry_to(rollback)
            writes.create[_entry_key(tombstone)] = _entry_to(tombstone)

        self._transact([_entry_key(rollback), _entry_key(tombstone)], decide)

    # --- player protection (the ProtectionStore) ---------------------------------------------------

    def protection(self, player_id: str) -> PlayerProtection | None:
        found = self._get(_protection_path(player_id))
        return None if found is None else _protection_from(player_id, found)

    def save_protection(self, protection: PlayerProtection) -> None:
        path = _protection_path(protection.player_id)

        def decide(found: dict[str, Document], writes: _Writes) -> None:
            stored = found.get(path)
            if (0 if stored is None else int(stored["version"])) != protection.version - 1:
                from ..domain.guard import ProtectionCheckFailed

                raise ProtectionCheckFailed(protection.player_id)
            writes.put[path] = _protection_to(protection)

        self._transact([path], decide)

    def period_totals(self, player_id: str, counter_ids: Sequence[str]) -> dict[str, int]:
        paths = {_counter_path(player_id, name): name for name in dict.fromkeys(counter_ids)}
        found = self._get_all(list(paths))
        return {paths[path]: int(document["total"]) for path, document in found.items()}

    # --- the one transaction -----------------------------------------------------------------------

    def _transact(self, paths: list[str], decide: Callable[[dict[str, Document], _Writes], None]) -> None:
        """Read `paths` in the transaction (one request), let `decide` check them and say what to write,
        then commit it all (one request). A refusal raised by `decide` rolls the transaction back."""
        refs = [self.client.document(path) for path in dict.fromkeys(paths)]

        def attempt(transaction: Any) -> None:
            found = {
                snapshot.reference.path: snapshot.to_dict()
                for snapshot in transaction.get_all(refs)
                if snapshot.exists
            }
            writes = _Writes()
            decide(found, writes)
            for path, document in writes.create.items():
                transaction.create(self.client.document(path), document)
            for path, document in writes.put.items():
                transaction.set(self.client.document(path), document)

        # firestore.transactional begins, runs `attempt`, commits, and on a contention abort tries again
        # in the aborted transaction's place in line (Firestore's retry_transaction), `attempts` times.
        firestore.transactional(attempt)(self.client.transaction(max_attempts=self.attempts))

    def _get(self, path: str) -> Document | None:
        found = self.client.document(path).get()
        return found.to_dict() if found.exists else None

    def _get_all(self, paths: list[str]) -> dict[str, Document]:
        """The documents at `paths` that exist, by path, in one BatchGetDocuments."""
        refs = [self.client.document(path) for path in dict.fromkeys(paths)]
        return {found.reference.path: found.to_dict() for found in self.client.get_all(refs) if found.exists}


def _player_path(player_id: str) -> str:
    return f"{PLAYERS}/{player_id}"


def _entry_path(player_id: str, scope: IdScope, transaction_id: str) -> str:
    return f"{PLAYERS}/{player_id}/ledger/{scope.value}#{transaction_id}"


def _entry_key(entry: LedgerEntry) -> str:
    return _entry_path(entry.player_id, entry.kind.scope, entry.transaction_id)


def _round_path(player_id: str, round_id: str) -> str:
    return f"{PLAYERS}/{player_id}/rounds/{round_id}"


def _protection_path(player_id: str) -> str:
    return f"{PLAYERS}/{player_id}/protection/{PROTECTION_ID}"


def _counter_path(player_id: str, counter_id: str) -> str:
    return f"{PLAYERS}/{player_id}/limits/{counter_id}"


def _guard_paths(guard: TransactionGuard | None) -> list[str]:
    """The documents a guard is checked against and moves: the protection record and its counters."""
    if guard is None:
        return []
    paths = [_protection_path(guard.player_id)] if guard.checks_protection else []
    return paths + [_counter_path(guard.player_id, count.counter_id) for count in guard.counts]


def _check_guard(found: dict[str, Document], guard: TransactionGuard | None, writes: _Writes) -> None:
    """The guard's checks against the documents read in the transaction, and its counters moved."""
    if guard is None or not (guard.checks_protection or guard.counts):
        return  # a guard that checks and counts nothing (no player protection) reads and writes nothing
    from ..domain.guard import KycStatus, LimitBreached, ProtectionCheckFailed, first_breach

    if guard.checks_protection:
        stored = found.get(_protection_path(guard.player_id))
        blocked = None if stored is None else stored.get("blocked_until")
        if guard.version is not None and (
            stored is None
            or int(stored["version"]) != guard.version
            or stored["kyc"] != KycStatus.VERIFIED.value
        ):
            raise ProtectionCheckFailed(guard.player_id)
        checked_at = guard.checked_at or datetime.now(UTC)
        if blocked is not None and datetime.fromisoformat(blocked) > checked_at:
            raise ProtectionCheckFailed(guard.player_id)
    breach = first_breach(guard)
    if breach is not None:
        raise LimitBreached(breach)
    for count in guard.counts:
        path = _counter_path(guard.player_id, count.counter_id)
        total = int((writes.put.get(path) or found.get(path) or {"total": 0})["total"])
        if count.cap is not None and total + count.delta > count.cap:
            raise LimitBreached(count)
        writes.put[path] = {"total": total + count.delta}


def _refuse_duplicate(found: dict[str, Document], entry: LedgerEntry) -> None:
    if _entry_key(entry) in found:
        raise DuplicateTransaction(entry.transaction_id)


def _refuse_moved(current: Balance | None, at_version: int | None) -> None:
    """BalanceMoved unless the balance is at `at_version` (None: the write is not conditioned on it)."""
    if at_version is not None and (0 if current is None else current.version) != at_version:
        raise BalanceMoved(current)


def _balance_or_none(player_id: str, found: dict[str, Document]) -> Balance | None:
    document = found.get(_player_path(player_id))
    return None if document is None else _balance_from(player_id, document)


def _moved(current: Balance | None, entry: LedgerEntry, amount: int) -> Document:
    """The balance document after `amount` moved the entry's funds; its version one on."""
    cash = 0 if current is None else current.cash
    bonus = 0 if current is None else current.bonus
    if entry.funds is Funds.BONUS:
        bonus += amount
    else:
        cash += amount
    return {
        "currency": entry.currency if current is None else current.currency,
        "cash": cash,
        "bonus": bonus,
        BALANCE_VERSION: (0 if current is None else current.version) + 1,
    }


def _held(balance: Balance, funds: Funds) -> int:
    return balance.bonus if funds is Funds.BONUS else balance.cash


def _balance_from(player_id: str, document: Document) -> Balance:
    return Balance(
        player_id=player_id,
        currency=document["currency"],
        cash=int(document["cash"]),
        bonus=int(document.get("bonus", 0)),
        version=int(document.get(BALANCE_VERSION, 0)),
    )


def _round_staking(stored: Document | None, bet: LedgerEntry) -> Document:
    """The bet's round with its stake and payable added (created by its first bet), unless closed."""
    if stored is not None and "closed_by" in stored:
        raise RoundClosed("the round is closed: it takes no more bets", field="round_id")
    stored = stored or {"round_id": bet.round_id, "stakes": 0, "paid": 0, "payable": 0}
    return {
        **stored,
        "stakes": int(stored["stakes"]) + bet.amount,
        "payable": int(stored["payable"]) + bet.round_payable,
    }


def _round_paying(stored: Document | None, win: LedgerEntry) -> Document:
    """The win paid out of its round's headroom; refused on a closed round or beyond the cap."""
    if stored is None:
        raise NotInRound("the round has no bets", field="round_id")
    if "closed_by" in stored:
        raise RoundClosed("the round is closed: it takes no more wins", field="round_id")
    if int(stored["payable"]) < win.amount:
        raise RoundCapExceeded("the win would take the round's total paid above its cap", field="amount")
    paid = {
        **stored,
        "paid": int(stored["paid"]) + win.amount,
        "payable": int(stored["payable"]) - win.amount,
    }
    if win.closes_round:
        paid["closed_by"] = win.transaction_id
    return paid


def _round_refunding(stored: Document, rollback: LedgerEntry, bet: LedgerEntry) -> Document:
    """The bet's stake and payable taken back from its round, only while the round has paid nothing."""
    if int(stored["paid"]) > 0:
        raise RoundHasWins(
            "the bet's round has paid wins: it is settled, not rolled back", field="bet_transaction_id"
        )
    return {
        **stored,
        "stakes": int(stored["stakes"]) - bet.amount,
        "payable": int(stored["payable"]) + rollback.round_payable,
    }


def _round_from(player_id: str, document: Document) -> Round:
    return Round(
        player_id=player_id,
        round_id=document["round_id"],
        stakes=int(document["stakes"]),
        paid=int(document["paid"]),
        payable=int(document["payable"]),
        closed="closed_by" in document,
    )


def _entry_to(entry: LedgerEntry) -> Document:
    created_at = timestamp(entry.created_at)
    document: Document = {
        "transaction_id": entry.transaction_id,
        "player_id": entry.player_id,
        "kind": entry.kind.value,
        "amount": entry.amount,
        "currency": entry.currency,
        "funds": entry.funds.value,
        "fingerprint": entry.fingerprint,
        "created_at": created_at,
        "entry_sort": f"{created_at}#{entry.transaction_id}",
    }
    optional: dict[str, Any] = {
        "reference": entry.reference,
        "reversed_by": entry.reversed_by,
        "round_id": entry.round_id,
        "closes_round": True if entry.closes_round else None,
        "round_payable": entry.round_payable or None,
    }
    document.update({name: value for name, value in optional.items() if value is not None})
    if entry.events:
        document["outbox"] = json.dumps([event.to_outbox() for event in entry.events], default=str)
        # When the entry was committed, by the database's clock: the relay deletes it once the events are
        # out, so the sweep's query (unrelayed entries older than a minute) reads only what is pending.
        document[OUTBOX_PENDING] = firestore.SERVER_TIMESTAMP
        traceparent = current_traceparent()
        if traceparent:
            document[OUTBOX_TRACE] = traceparent
    return document


def _entry_from(document: Document) -> LedgerEntry:
    return LedgerEntry(
        transaction_id=document["transaction_id"],
        player_id=document["player_id"],
        kind=EntryKind(document["kind"]),
        amount=int(document["amount"]),
        currency=document["currency"],
        fingerprint=document["fingerprint"],
        created_at=datetime.fromisoformat(document["created_at"]),
        reference=document.get("reference"),
        reversed_by=document.get("reversed_by"),
        funds=Funds(document.get("funds", Funds.CASH.value)),
        round_id=document.get("round_id"),
        closes_round=bool(document.get("closes_round", False)),
        round_payable=int(document.get("round_payable", 0)),
    )


def _currency_mismatch(balance: Balance, entry: LedgerEntry) -> CurrencyMismatch:
    return CurrencyMismatch(f"the wallet holds {balance.currency}, not {entry.currency}", field="currency")


def _protection_to(protection: PlayerProtection) -> Document:
    return {**protection_fields(protection), "version": protection.version}


def _protection_from(player_id: str, document: Document) -> PlayerProtection:
    return protection_from_fields(player_id, document, int(document["version"]))
