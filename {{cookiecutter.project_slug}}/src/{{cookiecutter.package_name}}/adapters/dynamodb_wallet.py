"""The wallet's DynamoDB store: ledger and balances, and the player protection records that guard them.

Item layout (keys `pk`/`sk`):
- wallet balance   pk=PLAYER#<player_id>  sk=BALANCE  currency, cash, bonus, balance_version (one more
                   with every write of the balance: a write conditioned on the version it read knows the
                   balance it leaves)
- ledger entry     pk=PLAYER#<player_id>  sk=TX#<scope>#<transaction_id>  (scope: payment, game or system:
                   ids are unique per player and per scope, domain.wallet.IdScope) transaction_id,
                   player_id, kind, amount, currency, funds (cash or bonus: the balance it moves),
                   fingerprint, created_at,
                   entry_sort=<created_at>#<transaction_id>, reference?, reversed_by?,
                   round_id?, closes_round?, round_payable? (a bet's: what it added to its round's headroom),
                   outbox? (the transaction's domain events as JSON, written with the entry: the table's
                   stream carries them to the bus, handlers/wallet_outbox.py)
                   (GSI ledger_by_player: player_id, entry_sort)
- round            pk=PLAYER#<player_id>  sk=ROUND#<round_id>  round_id, stakes, paid, payable (the headroom
                   left under the round's cap), closed_by? (the win that closed it); no player_id
                   attribute, so rounds stay out of the ledger_by_player index
- protection       pk=PLAYER#<player_id>  sk=PROTECTION  kyc, version, limits and pending (JSON),
                   self_excluded_until?, cooling_off_until?, blocked_until? (the later of the two)
- period counter   pk=PLAYER#<player_id>  sk=LIMIT#<kind>#<period>#<period key>  total
                   (no player_id attribute: neither is in the ledger_by_player index)

Protection items are written by player protection (responsible_gaming) through this store, its
ProtectionStore; without that module none exists, and the wallet's guards (domain.guard.NO_PROTECTION)
check and count nothing, so a write is the ledger's items alone.

Every change is ONE conditional TransactWriteItems, the guard's checks and counters included, and the
wallet reads what it needs before it in ONE BatchGetItem (snapshot: balance, the id's own entry, a win's or
rollback's bet, the protection item); the limits' counters are not read, their caps are conditions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

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
from .dynamodb import Item, TransactionCancelled, _DynamoTable, _key, _n, _s, _timestamp

if TYPE_CHECKING:
    from ..domain.guard import PlayerProtection, TransactionGuard

# The guard's domain is imported where a guard that checks or counts, or a protection item, is handled:
# a worker that pays a bonus or reads the ledger without them (promotions, leaderboards) does not load it.


class DynamoLedgerStore(_DynamoTable):
    """The wallet's ledger and balances in one DynamoDB table, with the protection records guarding them.

    It is the ProtectionStore too: a guard's checks and counters are items of the money's own transaction.
    `sessions_table`: where a bet's session is checked (the sessions module's table, read-only: a
    ConditionCheck on pk=SESSION#<id>, sk=SESSION); none: a bet that needs a session is refused.
    """

    def __init__(
        self, table_name: str, client: Any | None = None, *, sessions_table: str | None = None
    ) -> None:
        super().__init__(table_name, client)
        self.sessions_table = sessions_table

    def balance(self, player_id: str) -> Balance | None:
        item = self._get(_player_pk(player_id), "BALANCE")
        return None if item is None else _balance_from_item(player_id, item)

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        item = self._get(_player_pk(player_id), _tx_sk(scope, transaction_id))
        return None if item is None else _entry_from_item(item)

    def round(self, player_id: str, round_id: str) -> Round | None:
        item = self._get(_player_pk(player_id), _round_sk(round_id))
        return None if item is None else _round_from_item(player_id, item)

    def snapshot(
        self,
        player_id: str,
        scope: IdScope,
        transaction_id: str,
        *,
        bet_transaction_id: str | None = None,
        protection: bool = False,
    ) -> WalletSnapshot:
        # One BatchGetItem, not TransactGetItems: every value read is checked again by the write's own
        # conditions (the balance's version, the id's absence, the bet not rolled back, the protection's
        # version), so an isolated snapshot would buy nothing for twice the read capacity.
        entry_sk = _tx_sk(scope, transaction_id)
        bet_sk = None if bet_transaction_id is None else _tx_sk(IdScope.GAME, bet_transaction_id)
        wanted = ["BALANCE", entry_sk]
        if bet_sk is not None:
            wanted.append(bet_sk)
        if protection:
            wanted.append(PROTECTION_SK)
        found = self._items_of(_player_pk(player_id), wanted)
        balance, existing = found.get("BALANCE"), found.get(entry_sk)
        bet = None if bet_sk is None else found.get(bet_sk)
        read_protection = None
        if protection:
            stored = found.get(PROTECTION_SK)
            if stored is None:
                from ..domain.guard import PlayerProtection

                read_protection = PlayerProtection(player_id)
            else:
                read_protection = _protection_from_item(player_id, stored)
        return WalletSnapshot(
            balance=None if balance is None else _balance_from_item(player_id, balance),
            existing=None if existing is None else _entry_from_item(existing),
            bet=None if bet is None else _entry_from_item(bet),
            protection=read_protection,
        )

    def credit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        items = [
            self._put_entry(entry),
            self._add_to_balance(entry, guard_currency=True, at_version=at_version),
        ]
        bet_index = round_index = None
        if entry.kind is EntryKind.WIN and entry.reference is not None:
            # In the same transaction: a rollback of the bet that commits first refuses the win.
            bet_index = len(items)
            items.append(
                {
                    "ConditionCheck": {
                        "TableName": self.table_name,
                        "Key": _key(_player_pk(entry.player_id), _tx_sk(IdScope.GAME, entry.reference)),
                        "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(reversed_by)",
                    }
                }
            )
        if entry.kind is EntryKind.WIN and entry.round_id is not None:
            round_index = len(items)
            items.append(self._pay_from_round(entry))
        try:
            self._transact([*items, *self._guard_items(guard)])
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                raise DuplicateTransaction(entry.transaction_id) from None
            if cancelled.failed(1):
                _raise_if_moved(cancelled.old_item(1), entry.player_id, at_version)
                raise _currency_mismatch(cancelled.old_item(1), entry) from None
            if bet_index is not None and cancelled.failed(bet_index):
                raise AlreadyReversed(entry.reference) from None
            if round_index is not None and cancelled.failed(round_index):
                raise _round_refusal(cancelled.old_item(round_index)) from None
            _raise_guard_failure(cancelled, len(items), guard)
            raise

    def debit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        take_from_balance = _at_version(
            {
                "TableName": self.table_name,
                "Key": _key(_player_pk(entry.player_id), "BALANCE"),
                # Only the balance the bet takes is checked and debited: the other one never covers it.
                "UpdateExpression": f"SET #funds = #funds - :amount, {NEXT_VERSION}",
                "ConditionExpression": "currency = :currency AND #funds >= :amount",
                "ExpressionAttributeNames": {"#funds": entry.funds.value, "#version": BALANCE_VERSION},
                "ExpressionAttributeValues": {
                    ":amount": _n(entry.amount),
                    ":currency": _s(entry.currency),
                    ":zero": _n(0),
                    ":one": _n(1),
                },
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
            at_version,
        )
        items = [self._put_entry(entry), take_from_balance]
        round_index = session_index = None
        if entry.kind is EntryKind.BET and entry.round_id is not None:
            round_index = len(items)
            items.append(self._stake_on_round(entry))
        if entry.session_check is not None:
            session_index = len(items)
            items.append(self._session_is_active(entry.session_check, entry.player_id))
        try:
            self._transact([*items, *self._guard_items(guard)])
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                raise DuplicateTransaction(entry.transaction_id) from None
            if cancelled.failed(1):
                wallet = cancelled.old_item(1)
                _raise_if_moved(wallet, entry.player_id, at_version)
                if wallet is None:
                    raise FundsShort("the player has no balance", balance=None) from None
                if wallet["currency"]["S"] != entry.currency:
                    raise _currency_mismatch(wallet, entry) from None
                # The balance item as the refusal saw it (ALL_OLD): the answer's balance, with no read.
                raise FundsShort(
                    f"the {entry.kind} would take the {entry.funds} balance below zero",
                    balance=_balance_from_item(entry.player_id, wallet),
                ) from None
            if round_index is not None and cancelled.failed(round_index):
                raise RoundClosed("the round is closed: it takes no more bets", field="round_id") from None
            if session_index is not None and cancelled.failed(session_index):
                raise SessionRequired("a bet needs the player's active session", field="session_id") from None
            _raise_guard_failure(cancelled, len(items), guard)
            raise

    def reverse(
        self,
        rollback: LedgerEntry,
        bet: LedgerEntry,
        guard: TransactionGuard | None = None,
        at_version: int | None = None,
    ) -> None:
        mark_bet = {
            "Update": {
                "TableName": self.table_name,
                "Key": _entry_key(bet),
                "UpdateExpression": "SET reversed_by = :rollback",
                "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(reversed_by)",
                "ExpressionAttributeValues": {":rollback": _s(rollback.transaction_id)},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
        items = [
            self._put_entry(rollback),
            mark_bet,
            self._add_to_balance(rollback, guard_currency=False, at_version=at_version),
        ]
        if bet.round_id is not None:
            items.append(self._refund_to_round(rollback, bet))
        try:
            self._transact([*items, *self._guard_items(guard)])
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                raise DuplicateTransaction(rollback.transaction_id) from None
            if cancelled.failed(1):
                if cancelled.old_item(1) is None:
                    raise LookupError(f"bet {bet.transaction_id} is not in the ledger") from None
                raise AlreadyReversed(bet.transaction_id) from None
            if cancelled.failed(2):
                _raise_if_moved(cancelled.old_item(2), rollback.player_id, at_version)
            if len(items) > 3 and cancelled.failed(3):
                raise RoundHasWins(
                    "the bet's round has paid wins: it is settled, not rolled back",
                    field="bet_transaction_id",
                ) from None
            _raise_guard_failure(cancelled, len(items), guard)
            raise

    def tombstone(self, rollback: LedgerEntry, tombstone: LedgerEntry) -> None:
        try:
            self._transact([self._put_entry(rollback), self._put_entry(tombstone)])
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                raise DuplicateTransaction(rollback.transaction_id) from None
            if cancelled.failed(1):
                raise DuplicateTransaction(tombstone.transaction_id) from None
            raise

    def entries(self, player_id: str) -> list[LedgerEntry]:
        # A GSI is eventually consistent: an entry written a moment ago may not be listed yet, so
        # reconciliation compares ledgers that have been quiet for a while (e.g. yesterday's).
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name,
            IndexName="ledger_by_player",
            KeyConditionExpression="player_id = :player",
            ExpressionAttributeValues={":player": _s(player_id)},
        )
        return [_entry_from_item(item) for page in pages for item in page.get("Items", [])]

    def protection(self, player_id: str) -> PlayerProtection | None:
        item = self._get(_player_pk(player_id), PROTECTION_SK)
        return None if item is None else _protection_from_item(player_id, item)

    def save_protection(self, protection: PlayerProtection) -> None:
        put: dict[str, Any] = {"TableName": self.table_name, "Item": _protection_to_item(protection)}
        if protection.version == 1:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "#version = :previous"
            put["ExpressionAttributeNames"] = {"#version": "version"}
            put["ExpressionAttributeValues"] = {":previous": _n(protection.version - 1)}
        try:
            self.client.put_item(**put)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                from ..domain.guard import ProtectionCheckFailed

                raise ProtectionCheckFailed(protection.player_id) from None
            raise

    def period_totals(self, player_id: str, counter_ids: Sequence[str]) -> dict[str, int]:
        totals: dict[str, int] = {}
        wanted = list(dict.fromkeys(counter_ids))
        for start in range(0, len(wanted), 100):  # BatchGetItem takes 100 keys at most
            keys = [_key(_player_pk(player_id), f"LIMIT#{name}") for name in wanted[start : start + 100]]
            request: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table_name, []):
                    totals[item["sk"]["S"].removeprefix("LIMIT#")] = int(item["total"]["N"])
                request = response.get("UnprocessedKeys") or {}
        return totals

    def _guard_items(self, guard: TransactionGuard | None) -> list[dict[str, Any]]:
        """The guard's ConditionCheck on the protection and its counter updates, for the same transaction."""
        if guard is None or not (guard.checks_protection or guard.counts):
            return []  # a guard that checks and counts nothing (no player protection) adds no item
        from ..domain.guard import KycStatus, LimitBreached, first_breach

        breach = first_breach(guard)
        if breach is not None:
            # A counter that does not exist yet passes its condition: this stake alone is too big.
            raise LimitBreached(breach)
        items: list[dict[str, Any]] = []
        if guard.checks_protection:
            checked_at = guard.checked_at or datetime.now(UTC)
            # Neither excluded nor cooling off at the guard's time; a missing protection item passes this
            # part (a bonus grant's whole check), the version below does not.
            check: dict[str, Any] = {
                "TableName": self.table_name,
                "Key": _key(_player_pk(guard.player_id), PROTECTION_SK),
                "ConditionExpression": "attribute_not_exists(#blocked) OR #blocked <= :now",
                "ExpressionAttributeNames": {"#blocked": "blocked_until"},
                "ExpressionAttributeValues": {":now": _s(_timestamp(checked_at))},
            }
            if guard.version is not None:
                # The version pins the limits the caps below came from; a change since fails the
                # transaction. KYC and exclusions are checked here too, not only when read.
                check["ConditionExpression"] = (
                    f"#version = :version AND #kyc = :verified AND ({check['ConditionExpression']})"
                )
                check["ExpressionAttributeNames"].update({"#version": "version", "#kyc": "kyc"})
                check["ExpressionAttributeValues"].update(
                    {":version": _n(guard.version), ":verified": _s(KycStatus.VERIFIED.value)}
                )
            items.append({"ConditionCheck": check})
        for count in guard.counts:
            update: dict[str, Any] = {
                "TableName": self.table_name,
                "Key": _key(_player_pk(guard.player_id), f"LIMIT#{count.counter_id}"),
                "UpdateExpression": "ADD #total :delta",
                "ExpressionAttributeNames": {"#total": "total"},
                "ExpressionAttributeValues": {":delta": _n(count.delta)},
            }
            if count.cap is not None:
                # Conditions cannot add: "total + delta <= cap" is written as "total <= cap - delta".
                update["ConditionExpression"] = "attribute_not_exists(#total) OR #total <= :headroom"
                update["ExpressionAttributeValues"][":headroom"] = _n(count.cap - count.delta)
            items.append({"Update": update})
        return items

    def _session_is_active(self, session_id: str, player_id: str) -> dict[str, Any]:
        """The bet's session active and the player's, checked in the bet's own transaction."""
        if self.sessions_table is None:
            raise SessionRequired("no sessions table to check the bet's session against", field="session_id")
        return {
            "ConditionCheck": {
                "TableName": self.sessions_table,
                "Key": _key(f"SESSION#{session_id}", "SESSION"),
                # A missing item fails too: "status = active" is false when there is no status.
                "ConditionExpression": "#status = :active AND player_id = :player",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":active": _s("active"), ":player": _s(player_id)},
            }
        }

    def _stake_on_round(self, bet: LedgerEntry) -> dict[str, Any]:
        """The bet's stake and payable added to its round (created by its first bet), unless closed."""
        assert bet.round_id is not None
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(_player_pk(bet.player_id), _round_sk(bet.round_id)),
                "UpdateExpression": (
                    "SET round_id = :round, stakes = if_not_exists(stakes, :zero) + :amount, "
                    "payable = if_not_exists(payable, :zero) + :payable, paid = if_not_exists(paid, :zero)"
                ),
                "ConditionExpression": "attribute_not_exists(closed_by)",
                "ExpressionAttributeValues": {
                    ":round": _s(bet.round_id),
                    ":amount": _n(bet.amount),
                    ":payable": _n(bet.round_payable),
                    ":zero": _n(0),
                },
            }
        }

    def _pay_from_round(self, win: LedgerEntry) -> dict[str, Any]:
        """The win paid out of its round's headroom; refused on a closed round or beyond the cap."""
        assert win.round_id is not None
        values = {":amount": _n(win.amount)}
        closing = ""
        if win.closes_round:
            closing = ", closed_by = :win"
            values[":win"] = _s(win.transaction_id)
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(_player_pk(win.player_id), _round_sk(win.round_id)),
                "UpdateExpression": f"SET paid = paid + :amount, payable = payable - :amount{closing}",
                # Conditions cannot add or multiply: the headroom is kept, so the cap is one comparison.
                "ConditionExpression": (
                    "attribute_exists(pk) AND attribute_not_exists(closed_by) AND payable >= :amount"
                ),
                "ExpressionAttributeValues": values,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _refund_to_round(self, rollback: LedgerEntry, bet: LedgerEntry) -> dict[str, Any]:
        """The bet's stake and payable taken back from its round, only while the round has paid nothing."""
        assert bet.round_id is not None
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(_player_pk(bet.player_id), _round_sk(bet.round_id)),
                "UpdateExpression": "SET stakes = stakes - :amount, payable = payable + :payable",
                "ConditionExpression": "attribute_exists(pk) AND paid = :zero",
                "ExpressionAttributeValues": {
                    ":amount": _n(bet.amount),
                    ":payable": _n(rollback.round_payable),
                    ":zero": _n(0),
                },
            }
        }

    def _put_entry(self, entry: LedgerEntry) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": _entry_to_item(entry),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _add_to_balance(
        self, entry: LedgerEntry, *, guard_currency: bool, at_version: int | None
    ) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _key(_player_pk(entry.player_id), "BALANCE"),
            # Both balances exist from the first credit on, so a debit can always compare against one.
            "UpdateExpression": (
                "SET currency = if_not_exists(currency, :currency), #kept = if_not_exists(#kept, :zero), "
                f"#moved = if_not_exists(#moved, :zero) + :amount, {NEXT_VERSION}"
            ),
            "ExpressionAttributeNames": {
                "#moved": entry.funds.value,
                "#kept": _other(entry.funds).value,
                "#version": BALANCE_VERSION,
            },
            "ExpressionAttributeValues": {
                ":amount": _n(entry.amount),
                ":currency": _s(entry.currency),
                ":zero": _n(0),
                ":one": _n(1),
            },
        }
        if guard_currency:
            update["ConditionExpression"] = "attribute_not_exists(pk) OR currency = :currency"
        if guard_currency or at_version is not None:
            # The balance as it was when a condition failed: a lost race's new version, or the currency.
            update["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return _at_version(update, at_version)

    def _items_of(self, pk: str, sks: list[str]) -> dict[str, Item]:
        """The player's items with these sort keys, by sort key, in one consistent BatchGetItem."""
        keys = [_key(pk, sk) for sk in dict.fromkeys(sks)]
        request: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
        found: dict[str, Item] = {}
        while request:  # more than one request only when DynamoDB leaves keys unprocessed (throttling)
            response = self.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table_name, []):
                found[item["sk"]["S"]] = item
            request = response.get("UnprocessedKeys") or {}
        return found


PROTECTION_SK = "PROTECTION"
# The balance item's version: its own name, not the protection item's `version`, so a bonus-granting
# worker's role may write it (dynamodb:Attributes) without being able to write the protection's.
BALANCE_VERSION = "balance_version"
# Every write of a balance moves its version by one (a balance written before versions starts at 0).
NEXT_VERSION = "#version = if_not_exists(#version, :zero) + :one"


def _at_version(update: dict[str, Any], at_version: int | None) -> dict[str, Any]:
    """The balance's Update, conditioned on the balance being at `at_version` too (None: as it is)."""
    if at_version is not None:
        if at_version == 0:
            # No balance yet, or one written before versions: neither has a version attribute.
            version = "attribute_not_exists(#version)"
        else:
            version = "#version = :version"
            update["ExpressionAttributeValues"][":version"] = _n(at_version)
        condition = update.get("ConditionExpression")
        update["ConditionExpression"] = f"({condition}) AND {version}" if condition else version
    return {"Update": update}


def _raise_if_moved(balance: Item | None, player_id: str, at_version: int | None) -> None:
    """BalanceMoved if the refused write's balance (as it was) is not at `at_version`: a lost race."""
    if at_version is None:
        return
    found = int(balance[BALANCE_VERSION]["N"]) if balance is not None and BALANCE_VERSION in balance else 0
    if found != at_version:
        raise BalanceMoved(None if balance is None else _balance_from_item(player_id, balance)) from None


def _balance_from_item(player_id: str, item: Item) -> Balance:
    return Balance(
        player_id=player_id,
        currency=item["currency"]["S"],
        cash=int(item["cash"]["N"]),
        bonus=int(item.get("bonus", {"N": "0"})["N"]),
        version=int(item.get(BALANCE_VERSION, {"N": "0"})["N"]),
    )


def _round_sk(round_id: str) -> str:
    return f"ROUND#{round_id}"


def _round_from_item(player_id: str, item: Item) -> Round:
    return Round(
        player_id=player_id,
        round_id=item["round_id"]["S"],
        stakes=int(item["stakes"]["N"]),
        paid=int(item["paid"]["N"]),
        payable=int(item["payable"]["N"]),
        closed="closed_by" in item,
    )


def _round_refusal(round_item: Item | None) -> Exception:
    """Why a win's update of its round failed, from the round as it was."""
    if round_item is None:
        return NotInRound("the round has no bets", field="round_id")
    if "closed_by" in round_item:
        return RoundClosed("the round is closed: it takes no more wins", field="round_id")
    return RoundCapExceeded("the win would take the round's total paid above its cap", field="amount")


def _raise_guard_failure(cancelled: TransactionCancelled, first: int, guard: TransactionGuard | None) -> None:
    """Raise what failed among a guard's items, which start at index `first` of the transaction."""
    if guard is None:
        return
    from ..domain.guard import LimitBreached, ProtectionCheckFailed

    index = first
    if guard.checks_protection:
        if cancelled.failed(index):
            raise ProtectionCheckFailed(guard.player_id) from None
        index += 1
    for offset, count in enumerate(guard.counts):
        if cancelled.failed(index + offset):
            raise LimitBreached(count) from None


def _protection_to_item(protection: PlayerProtection) -> Item:
    item: Item = {
        **_key(_player_pk(protection.player_id), PROTECTION_SK),
        "kyc": _s(protection.kyc.value),
        "version": _n(protection.version),
        "limits": _s(
            json.dumps(
                [
                    [limit.kind.value, limit.period.value, limit.amount, limit.currency]
                    for limit in protection.limits
                ]
            )
        ),
        "pending": _s(
            json.dumps(
                [
                    [
                        change.kind.value,
                        change.period.value,
                        change.amount,
                        change.currency,
                        _timestamp(change.effective_at),
                    ]
                    for change in protection.pending
                ]
            )
        ),
    }
    for name, moment in (
        ("self_excluded_until", protection.self_excluded_until),
        ("cooling_off_until", protection.cooling_off_until),
        ("blocked_until", protection.blocked_until),
    ):
        if moment is not None:
            item[name] = _s(_timestamp(moment))
    return item


def _protection_from_item(player_id: str, item: Item) -> PlayerProtection:
    from ..domain.guard import KycStatus, Limit, LimitKind, LimitPeriod, PendingLimit, PlayerProtection

    def moment(name: str) -> datetime | None:
        return datetime.fromisoformat(item[name]["S"]) if name in item else None

    return PlayerProtection(
        player_id=player_id,
        kyc=KycStatus(item["kyc"]["S"]),
        limits=tuple(
            Limit(LimitKind(kind), LimitPeriod(period), amount, currency)
            for kind, period, amount, currency in json.loads(item["limits"]["S"])
        ),
        pending=tuple(
            PendingLimit(LimitKind(kind), LimitPeriod(period), amount, currency, datetime.fromisoformat(at))
            for kind, period, amount, currency, at in json.loads(item["pending"]["S"])
        ),
        self_excluded_until=moment("self_excluded_until"),
        cooling_off_until=moment("cooling_off_until"),
        version=int(item["version"]["N"]),
    )


def _other(funds: Funds) -> Funds:
    return Funds.CASH if funds is Funds.BONUS else Funds.BONUS


def _player_pk(player_id: str) -> str:
    return f"PLAYER#{player_id}"


def _tx_sk(scope: IdScope, transaction_id: str) -> str:
    return f"TX#{scope.value}#{transaction_id}"


def _entry_key(entry: LedgerEntry) -> Item:
    return _key(_player_pk(entry.player_id), _tx_sk(entry.kind.scope, entry.transaction_id))


def _entry_to_item(entry: LedgerEntry) -> Item:
    created_at = _timestamp(entry.created_at)
    item: Item = {
        **_entry_key(entry),
        "transaction_id": _s(entry.transaction_id),
        "player_id": _s(entry.player_id),
        "kind": _s(entry.kind.value),
        "amount": _n(entry.amount),
        "currency": _s(entry.currency),
        "funds": _s(entry.funds.value),
        "fingerprint": _s(entry.fingerprint),
        "created_at": _s(created_at),
        "entry_sort": _s(f"{created_at}#{entry.transaction_id}"),
    }
    if entry.reference is not None:
        item["reference"] = _s(entry.reference)
    if entry.reversed_by is not None:
        item["reversed_by"] = _s(entry.reversed_by)
    if entry.round_id is not None:
        item["round_id"] = _s(entry.round_id)
    if entry.closes_round:
        item["closes_round"] = {"BOOL": True}
    if entry.round_payable:
        item["round_payable"] = _n(entry.round_payable)
    if entry.events:
        item["outbox"] = _s(json.dumps([event.to_outbox() for event in entry.events], default=str))
    return item


def _entry_from_item(item: Item) -> LedgerEntry:
    return LedgerEntry(
        transaction_id=item["transaction_id"]["S"],
        player_id=item["player_id"]["S"],
        kind=EntryKind(item["kind"]["S"]),
        amount=int(item["amount"]["N"]),
        currency=item["currency"]["S"],
        fingerprint=item["fingerprint"]["S"],
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        reference=item["reference"]["S"] if "reference" in item else None,
        reversed_by=item["reversed_by"]["S"] if "reversed_by" in item else None,
        funds=Funds(item["funds"]["S"]) if "funds" in item else Funds.CASH,
        round_id=item["round_id"]["S"] if "round_id" in item else None,
        closes_round=item.get("closes_round", {}).get("BOOL", False),
        round_payable=int(item["round_payable"]["N"]) if "round_payable" in item else 0,
    )


def _currency_mismatch(wallet: Item | None, entry: LedgerEntry) -> CurrencyMismatch:
    held = wallet["currency"]["S"] if wallet else "another currency"
    return CurrencyMismatch(f"the wallet holds {held}, not {entry.currency}", field="currency")
