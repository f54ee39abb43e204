"""The wallet's Azure Table Storage store: ledger and balances, and the protection records guarding them.

Entity layout: one partition per player (PartitionKey = the player's id), so every money operation is ONE
entity group transaction, which Table Storage allows within a partition only (up to 100 operations).
Keys are percent-encoded: Table Storage refuses `/`, `\\`, `#` and `?` in keys.
- wallet balance   RowKey=BALANCE  currency, cash, bonus, balance_version (one more with every write)
- ledger entry     RowKey=TX:<scope>:<transaction_id>  (ids are unique per player and per scope)
                   transaction_id, player_id, kind, amount, currency, funds, fingerprint, created_at,
                   reference?, reversed_by?, round_id?, closes_round?, round_payable?, outbox? (the
                   transaction's domain events as JSON, written with the entry: the outbox a relay carries
                   to the bus)
- round            RowKey=ROUND:<round_id>  round_id, stakes, paid, payable, closed_by?
- protection       RowKey=PROTECTION  kyc, version, limits and pending (JSON), self_excluded_until?,
                   cooling_off_until?, blocked_until? (no `kyc`: the placeholder a money operation leaves
                   to pin "no protection stored", read as none)
- period counter   RowKey=LIMIT:<counter_id>  total
- outbox pending   RowKey=OUTBOX:<created_at>:TX:<scope>:<transaction_id>  entry (the ledger entry's
                   RowKey): written in the same transaction as an entry that has an outbox, deleted by the
                   outbox relay (adapters/table_outbox.py) once the entry's events are published. Table
                   Storage has no change feed: the relay finds what is left to publish by these markers'
                   RowKey prefix, and a money operation pays no request of its own for them.

Table Storage has no condition expressions, only "insert if absent" and ETag matches, so the checks the
DynamoDB store writes as conditions are made in Python on what was read, and the ETags make them hold at
commit: every money operation writes the balance entity with the ETag it read (or inserts it), and every
entity a money operation checks (the id's entry, a bet's mark, its round, the limits' counters) changes
only in a transaction that also writes the balance. So a balance ETag still current at commit proves
that nothing read with it or after it has changed. The protection entity also changes outside money
operations (ProtectionStore.save_protection): a guard that checks it merges nothing into it with its
ETag, which fails the transaction if it changed.

Requests: `snapshot` is ONE query of the player's partition (the balance, the id's entry, a bet's entry,
the round a bet opens or a win or rollback settles when it is the bet's own, the protection), and the
write after it is ONE entity group transaction using what that query read; an entity it did not read (a
round shared by several bets, the limits' counters) costs one more query before the transaction.

The client: pass a `TableClient` (adapters/azure_tables.py's `table_client()` builds one: a connection
string for Azurite in tests and the local run, else the table endpoint with DefaultAzureCredential, the
function app's managed identity, since the storage account allows no shared key). The same SDK talks
to Cosmos DB for Table.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.data.tables import (
    TableClient,
    TableEntity,
    TableTransactionError,
    UpdateMode,
)

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
from .azure_tables import error_code, if_unchanged, int64, integer, key, rows_of
from .document_records import protection_fields, protection_from_fields, timestamp

if TYPE_CHECKING:
    from ..domain.guard import PlayerProtection, TransactionGuard
    from ..ports.wallet import ActiveSessions

# An entity as read (with its ETag in `metadata`), and one to write.
type Entity = TableEntity
type NewEntity = dict[str, Any]
type Operation = tuple[Any, ...]

BALANCE = "BALANCE"
# The RowKey prefix of the outbox's pending markers (and the first key past them, for a range query).
OUTBOX_PENDING = "OUTBOX:"
PAST_OUTBOX_PENDING = "OUTBOX;"
PROTECTION = "PROTECTION"
# A write without a balance version (the wallet's last resort after lost races) reads again and tries
# again on a lost race; this bounds it so a broken table fails loudly instead of spinning.
RACE_ATTEMPTS = 1_000


class TableLedgerStore:
    """The wallet's ledger and balances in one Azure table, with the protection records guarding them.

    It is the ProtectionStore too: a guard's checks and counters are entities of the money's own
    transaction. `sessions`: where a bet's session is checked (the sessions module's store); Table
    Storage cannot check another table inside a transaction, so the check is made just before it
    (a session ended in between is not seen); none: a bet that needs a session is refused.
    """

    def __init__(self, table: TableClient, *, sessions: ActiveSessions | None = None) -> None:
        self.table = table
        self._sessions = sessions
        # What each thread's last snapshot read, per player: its write reuses the ETags instead of a read.
        self._read = threading.local()

    def check_sessions_in(self, sessions: ActiveSessions) -> None:
        """Check bets' sessions in `sessions` from now on (a store built before the sessions' store)."""
        self._sessions = sessions

    def balance(self, player_id: str) -> Balance | None:
        found = self._get(player_id, BALANCE)
        return None if found is None else _balance_from(player_id, found)

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        found = self._get(player_id, _tx_key(scope, transaction_id))
        return None if found is None else _entry_from(found)

    def round(self, player_id: str, round_id: str) -> Round | None:
        found = self._get(player_id, _round_key(round_id))
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
        entry_key = _tx_key(scope, transaction_id)
        bet_key = None if bet_transaction_id is None else _tx_key(IdScope.GAME, bet_transaction_id)
        wanted = [BALANCE, entry_key]
        if bet_key is not None:
            wanted.append(bet_key)
        if scope is IdScope.GAME:
            # The round its write will move when the bet is a round of its own (the wallet's default): read
            # now with the balance, the write needs no read of its own.
            wanted.append(_round_key(bet_transaction_id or transaction_id))
        if protection:
            wanted.append(PROTECTION)
        found = self._query(player_id, wanted)
        self._remember(player_id, found, wanted)
        balance, existing = found.get(BALANCE), found.get(entry_key)
        bet = None if bet_key is None else found.get(bet_key)
        read_protection = None
        if protection:
            read_protection = _protection_or_none(player_id, found.get(PROTECTION))
            if read_protection is None:
                from ..domain.guard import PlayerProtection

                read_protection = PlayerProtection(player_id)
        return WalletSnapshot(
            balance=None if balance is None else _balance_from(player_id, balance),
            existing=None if existing is None else _entry_from(existing),
            bet=None if bet is None else _entry_from(bet),
            protection=read_protection,
        )

    def credit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        is_win = entry.kind is EntryKind.WIN
        bet_key = _tx_key(IdScope.GAME, entry.reference) if is_win and entry.reference else None
        round_key = _round_key(entry.round_id) if is_win and entry.round_id is not None else None

        def plan(found: dict[str, Entity]) -> list[Operation]:
            balance = found.get(BALANCE)
            if balance is not None and balance["currency"] != entry.currency:
                raise _currency_mismatch(balance, entry)
            operations = [("create", _entry_to_entity(entry)), _balance_write(entry, balance)]
            if bet_key is not None:
                bet = found.get(bet_key)
                # A rollback that commits first refuses the win: it moved the balance, so this ETag fails.
                if bet is None or "reversed_by" in bet:
                    raise AlreadyReversed(entry.reference)
            if round_key is not None:
                operations.append(_pay_from_round(entry, found.get(round_key)))
            return operations

        self._write(entry, [bet_key, round_key], plan, guard, at_version)

    def debit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        round_key = (
            _round_key(entry.round_id) if entry.kind is EntryKind.BET and entry.round_id is not None else None
        )

        def plan(found: dict[str, Entity]) -> list[Operation]:
            balance = found.get(BALANCE)
            if balance is None:
                raise FundsShort("the player has no balance", balance=None)
            if balance["currency"] != entry.currency:
                raise _currency_mismatch(balance, entry)
            if integer(balance, entry.funds.value) < entry.amount:
                # Only the balance the bet takes is checked: the other one never covers it.
                raise FundsShort(
                    f"the {entry.kind} would take the {entry.funds} balance below zero",
                    balance=_balance_from(entry.player_id, balance),
                )
            operations = [("create", _entry_to_entity(entry)), _balance_write(entry, balance)]
            if round_key is not None:
                operations.append(_stake_on_round(entry, found.get(round_key)))
            return operations

        if entry.session_check is not None:
            self._require_session(entry.session_check, entry.player_id)
        self._write(entry, [round_key], plan, guard, at_version)

    def reverse(
        self,
        rollback: LedgerEntry,
        bet: LedgerEntry,
        guard: TransactionGuard | None = None,
        at_version: int | None = None,
    ) -> None:
        bet_key = _tx_key(IdScope.GAME, bet.transaction_id)
        round_key = None if bet.round_id is None else _round_key(bet.round_id)

        def plan(found: dict[str, Entity]) -> list[Operation]:
            stored_bet = found.get(bet_key)
            if stored_bet is None:
                raise LookupError(f"bet {bet.transaction_id} is not in the ledger")
            if "reversed_by" in stored_bet:
                raise AlreadyReversed(bet.transaction_id)
            mark = {"PartitionKey": stored_bet["PartitionKey"], "RowKey": bet_key}
            mark["reversed_by"] = rollback.transaction_id
            operations = [
                ("create", _entry_to_entity(rollback)),
                _balance_write(rollback, found.get(BALANCE)),
                ("update", mark, _if_unchanged(stored_bet, UpdateMode.MERGE)),
            ]
            if round_key is not None:
                operations.append(_refund_to_round(rollback, bet, found.get(round_key)))
            return operations

        self._write(rollback, [bet_key, round_key], plan, guard, at_version)

    def tombstone(self, rollback: LedgerEntry, tombstone: LedgerEntry) -> None:
        # Two inserts: each fails if its id exists (the late bet may have just arrived).
        operations = [
            ("create", _entry_to_entity(rollback)),
            ("create", _entry_to_entity(tombstone)),
            *_outbox_pending(rollback),
        ]
        try:
            self.table.submit_transaction(operations)
        except TableTransactionError as failure:
            if error_code(failure) == "EntityAlreadyExists":
                raise DuplicateTransaction(
                    tombstone.transaction_id if failure.index == 1 else rollback.transaction_id
                ) from None
            raise

    def entries(self, player_id: str) -> list[LedgerEntry]:
        found = self.table.query_entities(
            "PartitionKey eq @player and RowKey ge @first and RowKey lt @last",
            parameters={"player": key(player_id), "first": "TX:", "last": "TX;"},
        )
        ledger = [_entry_from(entity) for entity in found]
        # The order reconciliation reads: by time, then by id (what DynamoDB's index sorts on).
        return sorted(ledger, key=lambda entry: (timestamp(entry.created_at), entry.transaction_id))

    def protection(self, player_id: str) -> PlayerProtection | None:
        return _protection_or_none(player_id, self._get(player_id, PROTECTION))

    def save_protection(self, protection: PlayerProtection) -> None:
        from ..domain.guard import ProtectionCheckFailed

        stored = self._get(protection.player_id, PROTECTION)
        stored_version = 0 if stored is None or "kyc" not in stored else integer(stored, "version")
        if stored_version != protection.version - 1:
            raise ProtectionCheckFailed(protection.player_id)
        entity = _protection_to_entity(protection)
        try:
            if stored is None:
                self.table.create_entity(entity)
            else:
                # The ETag of the version read (or of the placeholder a money operation left): a change
                # since, a money operation's check included, fails this and the caller decides again.
                self.table.update_entity(entity, **_if_unchanged(stored, UpdateMode.REPLACE))
        except (ResourceExistsError, ResourceNotFoundError):
            raise ProtectionCheckFailed(protection.player_id) from None
        except HttpResponseError as error:
            if error.status_code == 412:
                raise ProtectionCheckFailed(protection.player_id) from None
            raise

    def period_totals(self, player_id: str, counter_ids: Sequence[str]) -> dict[str, int]:
        keys = [_limit_key(name) for name in dict.fromkeys(counter_ids)]
        found = self._query(player_id, keys)
        return {
            unquote(row_key.removeprefix("LIMIT:")): integer(entity, "total")
            for row_key, entity in found.items()
        }

    def _write(
        self,
        entry: LedgerEntry,
        also_read: Iterable[str | None],
        plan: Callable[[dict[str, Entity]], list[Operation]],
        guard: TransactionGuard | None,
        at_version: int | None,
    ) -> None:
        """Plan the money's transaction on what was read and submit it once; map a refusal to the port's.

        At `at_version`, a balance found at another version, or one that moved before the commit, is
        BalanceMoved (with the balance as it is). Without it a lost race is read and tried again.
        """
        player_id = entry.player_id
        entry_key = _tx_key(entry.kind.scope, entry.transaction_id)
        wanted = [
            BALANCE,
            entry_key,
            *(row_key for row_key in also_read if row_key is not None),
            *_guard_keys(guard),
        ]
        for _attempt in range(RACE_ATTEMPTS):
            found = self._recall(player_id, wanted, at_version)
            if entry_key in found:
                # The id is taken: a duplicate before any other refusal, as the entry's insert would fail.
                raise DuplicateTransaction(entry.transaction_id)
            balance = found.get(BALANCE)
            if at_version is not None and _version(balance) != at_version:
                raise BalanceMoved(None if balance is None else _balance_from(player_id, balance))
            operations = plan(found)
            operations.extend(_guard_operations(guard, found, player_id))
            operations.extend(_outbox_pending(entry))
            try:
                self.table.submit_transaction(operations)
                return
            except TableTransactionError as failure:
                code = error_code(failure)
                if failure.index == 0 and code == "EntityAlreadyExists":
                    raise DuplicateTransaction(entry.transaction_id) from None
                if _is_protection(operations, failure.index):
                    from ..domain.guard import ProtectionCheckFailed

                    raise ProtectionCheckFailed(player_id) from None
                if code not in ("UpdateConditionNotSatisfied", "EntityAlreadyExists", "ResourceNotFound"):
                    raise
                # Lost the race for the balance: another write of this player committed after the read.
                if at_version is not None:
                    moved = self._get(player_id, BALANCE)
                    raise BalanceMoved(None if moved is None else _balance_from(player_id, moved)) from None
        raise RuntimeError(f"the wallet of {player_id} kept moving: {RACE_ATTEMPTS} attempts lost the race")

    def _require_session(self, session_id: str, player_id: str) -> None:
        if self._sessions is None or not self._sessions.is_active_for(session_id, player_id):
            raise SessionRequired("a bet needs the player's active session", field="session_id")

    def _remember(self, player_id: str, found: dict[str, Entity], asked: list[str]) -> None:
        """Keep what this thread's snapshot read, so the write that follows it reads nothing."""
        self._read.player = player_id
        self._read.found = found
        self._read.asked = set(asked)

    def _recall(self, player_id: str, wanted: list[str], at_version: int | None) -> dict[str, Entity]:
        """What the write needs: the snapshot's entities if they still fit, else read (missing ones only).

        Entities read after the balance are at least as new as it, so its ETag covers them too; the
        snapshot is used once, and only at the version the write is conditioned on.
        """
        remembered = getattr(self._read, "player", None) == player_id
        found: dict[str, Entity] = self._read.found if remembered else {}
        asked: set[str] = self._read.asked if remembered else set()
        self._read.player = None
        if at_version is None or BALANCE not in asked or _version(found.get(BALANCE)) != at_version:
            found, asked = {}, set()
        missing = [row_key for row_key in wanted if row_key not in asked]
        if missing:
            found = {**found, **self._query(player_id, missing)}
        return found

    def _query(self, player_id: str, row_keys: list[str]) -> dict[str, Entity]:
        """The player's entities with these row keys, in as few queries as a filter allows (one here)."""
        return rows_of(self.table, key(player_id), row_keys)

    def _get(self, player_id: str, row_key: str) -> Entity | None:
        try:
            found: Entity = self.table.get_entity(key(player_id), row_key)
        except ResourceNotFoundError:
            return None
        return found


def _outbox_pending(entry: LedgerEntry) -> list[Operation]:
    """The marker that tells the outbox relay this entry's events are still to publish (none: no events).

    Its RowKey sorts the player's pending entries in the ledger's order (time, then id: the order
    reconciliation reads), so the relay publishes a player's events in that order.
    """
    if not entry.events:
        return []
    entry_key = _tx_key(entry.kind.scope, entry.transaction_id)
    marker: NewEntity = {
        "PartitionKey": key(entry.player_id),
        "RowKey": f"{OUTBOX_PENDING}{timestamp(entry.created_at)}:{entry_key}",
        "entry": entry_key,
    }
    return [("create", marker)]


def _tx_key(scope: IdScope, transaction_id: str) -> str:
    return f"TX:{scope.value}:{key(transaction_id)}"


def _round_key(round_id: str) -> str:
    return f"ROUND:{key(round_id)}"


def _limit_key(counter_id: str) -> str:
    return f"LIMIT:{key(counter_id)}"


def _version(balance: Entity | None) -> int:
    return 0 if balance is None else integer(balance, "balance_version")


def _if_unchanged(entity: Entity, mode: UpdateMode) -> dict[str, Any]:
    """An update's options: in `mode`, applied only while the entity still has the ETag it was read with."""
    return {"mode": mode, **if_unchanged(entity)}


def _insert_or_replace(entity: NewEntity, stored: Entity | None) -> Operation:
    """Insert `entity` if absent when read (fails if it appeared since), else replace it at its ETag."""
    if stored is None:
        return ("create", entity)
    return ("update", entity, _if_unchanged(stored, UpdateMode.REPLACE))


def _balance_write(entry: LedgerEntry, balance: Entity | None) -> Operation:
    """The balance moved by the entry, one version on: the transaction's lock on the player's wallet."""
    cash = 0 if balance is None else integer(balance, "cash")
    bonus = 0 if balance is None else integer(balance, "bonus")
    if entry.funds is Funds.BONUS:
        bonus += entry.signed_amount
    else:
        cash += entry.signed_amount
    moved: NewEntity = {
        "PartitionKey": key(entry.player_id),
        "RowKey": BALANCE,
        "currency": entry.currency if balance is None else balance["currency"],
        "cash": int64(cash),
        "bonus": int64(bonus),
        "balance_version": int64(_version(balance) + 1),
    }
    return _insert_or_replace(moved, balance)


def _round_entity(player_id: str, round_id: str, stakes: int, paid: int, payable: int) -> NewEntity:
    return {
        "PartitionKey": key(player_id),
        "RowKey": _round_key(round_id),
        "round_id": round_id,
        "stakes": int64(stakes),
        "paid": int64(paid),
        "payable": int64(payable),
    }


def _stake_on_round(bet: LedgerEntry, stored: Entity | None) -> Operation:
    """The bet's stake and payable added to its round (created by its first bet), unless closed."""
    assert bet.round_id is not None
    if stored is not None and "closed_by" in stored:
        raise RoundClosed("the round is closed: it takes no more bets", field="round_id")
    stakes, paid, payable = (0, 0, 0) if stored is None else _round_figures(stored)
    moved = _round_entity(bet.player_id, bet.round_id, stakes + bet.amount, paid, payable + bet.round_payable)
    return _insert_or_replace(moved, stored)


def _pay_from_round(win: LedgerEntry, stored: Entity | None) -> Operation:
    """The win paid out of its round's headroom; refused on a closed round or beyond the cap."""
    assert win.round_id is not None
    if stored is None:
        raise NotInRound("the round has no bets", field="round_id")
    if "closed_by" in stored:
        raise RoundClosed("the round is closed: it takes no more wins", field="round_id")
    stakes, paid, payable = _round_figures(stored)
    if payable < win.amount:
        raise RoundCapExceeded("the win would take the round's total paid above its cap", field="amount")
    moved = _round_entity(win.player_id, win.round_id, stakes, paid + win.amount, payable - win.amount)
    if win.closes_round:
        moved["closed_by"] = win.transaction_id
    return ("update", moved, _if_unchanged(stored, UpdateMode.REPLACE))


def _refund_to_round(rollback: LedgerEntry, bet: LedgerEntry, stored: Entity | None) -> Operation:
    """The bet's stake and payable taken back from its round, only while the round has paid nothing."""
    assert bet.round_id is not None
    if stored is None or integer(stored, "paid") != 0:
        raise RoundHasWins(
            "the bet's round has paid wins: it is settled, not rolled back", field="bet_transaction_id"
        )
    stakes, paid, payable = _round_figures(stored)
    moved = _round_entity(
        bet.player_id, bet.round_id, stakes - bet.amount, paid, payable + rollback.round_payable
    )
    if "closed_by" in stored:
        moved["closed_by"] = stored["closed_by"]
    return ("update", moved, _if_unchanged(stored, UpdateMode.REPLACE))


def _round_figures(stored: Entity) -> tuple[int, int, int]:
    return integer(stored, "stakes"), integer(stored, "paid"), integer(stored, "payable")


def _round_from(player_id: str, entity: Entity) -> Round:
    stakes, paid, payable = _round_figures(entity)
    return Round(
        player_id=player_id,
        round_id=entity["round_id"],
        stakes=stakes,
        paid=paid,
        payable=payable,
        closed="closed_by" in entity,
    )


def _guard_keys(guard: TransactionGuard | None) -> list[str]:
    if guard is None:
        return []
    keys = [PROTECTION] if guard.checks_protection else []
    return keys + [_limit_key(count.counter_id) for count in guard.counts]


def _guard_operations(
    guard: TransactionGuard | None, found: dict[str, Entity], player_id: str
) -> list[Operation]:
    """The guard's check of the protection and its counters' moves, for the money's own transaction."""
    if guard is None or not (guard.checks_protection or guard.counts):
        return []  # a guard that checks and counts nothing (no player protection) adds nothing
    from ..domain.guard import KycStatus, LimitBreached, ProtectionCheckFailed, first_breach

    breach = first_breach(guard)
    if breach is not None:
        raise LimitBreached(breach)
    operations: list[Operation] = []
    if guard.checks_protection:
        stored = found.get(PROTECTION)
        real = stored is not None and "kyc" in stored
        checked_at = timestamp(guard.checked_at or datetime.now(UTC))
        if real and stored is not None:
            blocked = stored.get("blocked_until")
            if blocked is not None and blocked > checked_at:
                raise ProtectionCheckFailed(player_id)
            if guard.version is not None and (
                integer(stored, "version") != guard.version or stored["kyc"] != KycStatus.VERIFIED.value
            ):
                raise ProtectionCheckFailed(player_id)
        elif guard.version is not None:
            raise ProtectionCheckFailed(player_id)  # a version to hold, and nothing stored
        pinned = {"PartitionKey": key(player_id), "RowKey": PROTECTION}
        if stored is None:
            # "Nothing stored" pinned by a placeholder: a protection saved meanwhile fails this insert,
            # and one saved later replaces the placeholder at its ETag.
            operations.append(("create", pinned))
        else:
            # Nothing merged: the ETag alone makes the protection as read a condition of the transaction.
            operations.append(("update", pinned, _if_unchanged(stored, UpdateMode.MERGE)))
    for count in guard.counts:
        stored = found.get(_limit_key(count.counter_id))
        total = 0 if stored is None else integer(stored, "total")
        if stored is not None and count.cap is not None and total + count.delta > count.cap:
            raise LimitBreached(count)
        moved: NewEntity = {
            "PartitionKey": key(player_id),
            "RowKey": _limit_key(count.counter_id),
            "total": int64(total + count.delta),
        }
        operations.append(_insert_or_replace(moved, stored))
    return operations


def _is_protection(operations: list[Operation], index: int) -> bool:
    return index < len(operations) and operations[index][1].get("RowKey") == PROTECTION


def _protection_to_entity(protection: PlayerProtection) -> NewEntity:
    return {
        "PartitionKey": key(protection.player_id),
        "RowKey": PROTECTION,
        **protection_fields(protection),
        "version": int64(protection.version),
    }


def _protection_or_none(player_id: str, entity: Entity | None) -> PlayerProtection | None:
    """The stored protection; None when nothing is stored, or only a money operation's placeholder."""
    if entity is None or "kyc" not in entity:
        return None
    return protection_from_fields(player_id, entity, integer(entity, "version"))


def _balance_from(player_id: str, entity: Entity) -> Balance:
    return Balance(
        player_id=player_id,
        currency=entity["currency"],
        cash=integer(entity, "cash"),
        bonus=integer(entity, "bonus"),
        version=_version(entity),
    )


def _entry_to_entity(entry: LedgerEntry) -> NewEntity:
    entity: NewEntity = {
        "PartitionKey": key(entry.player_id),
        "RowKey": _tx_key(entry.kind.scope, entry.transaction_id),
        "transaction_id": entry.transaction_id,
        "player_id": entry.player_id,
        "kind": entry.kind.value,
        "amount": int64(entry.amount),
        "currency": entry.currency,
        "funds": entry.funds.value,
        "fingerprint": entry.fingerprint,
        "created_at": timestamp(entry.created_at),
    }
    if entry.reference is not None:
        entity["reference"] = entry.reference
    if entry.reversed_by is not None:
        entity["reversed_by"] = entry.reversed_by
    if entry.round_id is not None:
        entity["round_id"] = entry.round_id
    if entry.closes_round:
        entity["closes_round"] = True
    if entry.round_payable:
        entity["round_payable"] = int64(entry.round_payable)
    if entry.events:
        # The outbox: the transaction's events, committed with the entry or not at all.
        entity["outbox"] = json.dumps([event.to_outbox() for event in entry.events], default=str)
    return entity


def _entry_from(entity: Entity) -> LedgerEntry:
    return LedgerEntry(
        transaction_id=entity["transaction_id"],
        player_id=entity["player_id"],
        kind=EntryKind(entity["kind"]),
        amount=integer(entity, "amount"),
        currency=entity["currency"],
        fingerprint=entity["fingerprint"],
        created_at=datetime.fromisoformat(entity["created_at"]),
        reference=entity.get("reference"),
        reversed_by=entity.get("reversed_by"),
        funds=Funds(entity.get("funds", Funds.CASH.value)),
        round_id=entity.get("round_id"),
        closes_round=bool(entity.get("closes_round", False)),
        round_payable=integer(entity, "round_payable"),
    )


def _currency_mismatch(balance: Entity, entry: LedgerEntry) -> CurrencyMismatch:
    return CurrencyMismatch(f"the wallet holds {balance['currency']}, not {entry.currency}", field="currency")
