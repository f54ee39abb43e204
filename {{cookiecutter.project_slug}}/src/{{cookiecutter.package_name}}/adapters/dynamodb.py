"""DynamoDB adapters: every money or activity change is ONE conditional TransactWriteItems.

Item layout (one table per module, keys `pk`/`sk`):
{%- if cookiecutter.module_wallet %}
- wallet balance   pk=PLAYER#<player_id>  sk=BALANCE  currency, cash, bonus
- ledger entry     pk=TX#<transaction_id> sk=ENTRY    player_id, kind, amount, currency, funds (cash or
                   bonus: the balance it moves), fingerprint, created_at,
                   entry_sort=<created_at>#<transaction_id>, reference?, reversed_by?
                   (GSI ledger_by_player: player_id, entry_sort)
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
- protection       pk=PLAYER#<player_id>  sk=PROTECTION  kyc, version, limits and pending (JSON),
                   self_excluded_until?, cooling_off_until?, blocked_until? (the later of the two)
- period counter   pk=PLAYER#<player_id>  sk=LIMIT#<kind>#<period>#<period key>  total
                   (no player_id attribute: neither is in the ledger_by_player index)
{%- endif %}
{%- if cookiecutter.module_sessions %}
- session          pk=SESSION#<session_id> sk=SESSION           player_id, status, times, totals
- activity marker  pk=SESSION#<session_id> sk=EVENT#<event_id>  expires_at (TTL)
{%- endif %}
- audit head       pk=CHAIN               sk=HEAD                 sequence, hash
- audit record     pk=CHAIN               sk=RECORD#<sequence:020> the record's fields, detail as JSON
- audited event    pk=EVENT#<event_id>    sk=EVENT                sequence (an event is recorded once)

A cancelled transaction names, per item, the condition that failed; with
ReturnValuesOnConditionCheckFailure=ALL_OLD it also returns the item as it was, so the adapter
tells a replayed id from a short balance without another read.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

{%- set errors = [] %}
{%- if cookiecutter.module_wallet %}{% set errors = errors + ["CurrencyMismatch", "InsufficientFunds"] %}{% endif %}
{%- if cookiecutter.module_sessions %}{% set errors = errors + ["NotFound"] %}{% endif %}

from ..domain.audit import AppendResult, AuditEvent, AuditRecord, ChainHead, link
{%- if errors %}
from ..domain.errors import {{ errors | join(", ") }}
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
from ..domain.responsible_gaming import (
    KycStatus,
    Limit,
    LimitBreached,
    LimitKind,
    LimitPeriod,
    PendingLimit,
    PlayerProtection,
    ProtectionCheckFailed,
    TransactionGuard,
    first_breach,
)
{%- endif %}
{%- if cookiecutter.module_sessions %}
from ..domain.sessions import Session, SessionActivity, SessionStatus
{%- endif %}
{%- if cookiecutter.module_wallet %}
from ..domain.wallet import AlreadyReversed, Balance, DuplicateTransaction, EntryKind, Funds, LedgerEntry
{%- endif %}
from .aws_clients import LazyClient

Item = dict[str, dict[str, Any]]

# Concurrent transactions on one item are cancelled with TransactionConflict (nothing applied);
# botocore does not retry them, so the adapter does, a few times with jitter.
CONFLICT_ATTEMPTS = 4
# An audit append writes the head plus two items per event; a transaction holds at most 100 items.
AUDIT_EVENTS_PER_TRANSACTION = 49
# Appends lost to another writer (the head moved) are retried this often before giving up.
AUDIT_APPEND_ATTEMPTS = 8
{%- if cookiecutter.module_sessions %}
# Activity markers outlive every copy of the event: the queue keeps it 4 days, its dead-letter queue
# 14 days, so a message redriven from the dead-letter queue is still recognised as applied.
MARKER_TTL_SECONDS = 15 * 24 * 3600
{%- endif %}


class TransactionCancelled(Exception):
    """A TransactWriteItems was cancelled; `reasons` holds one cancellation reason per item."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__([reason.get("Code") for reason in reasons])
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        """Whether the condition of the item at `index` failed."""
        return self.reasons[index].get("Code") == "ConditionalCheckFailed"

    def old_item(self, index: int) -> Item | None:
        """The item at `index` as it was when its condition failed (None if it did not exist)."""
        item: Item | None = self.reasons[index].get("Item")
        return item


class _DynamoTable:
    """One table and a low-level client, created on first use so imports stay cheap."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self._client = LazyClient("dynamodb", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def _get(self, pk: str, sk: str) -> Item | None:
        response = self.client.get_item(TableName=self.table_name, Key=_key(pk, sk), ConsistentRead=True)
        item: Item | None = response.get("Item")
        return item

    def _transact(self, items: list[dict[str, Any]]) -> None:
        """Run one TransactWriteItems; retry only when every failure is a transaction conflict."""
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                self.client.transact_write_items(TransactItems=items)
                return
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons", [])
                codes = {reason.get("Code") for reason in reasons} - {"None"}
                if codes == {"TransactionConflict"} and attempt < CONFLICT_ATTEMPTS:
                    time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not crypto
                    continue
                raise TransactionCancelled(reasons) from error
{%- if cookiecutter.module_wallet %}


class DynamoLedgerStore(_DynamoTable):
    """The wallet's ledger and balances in one DynamoDB table."""

    def balance(self, player_id: str) -> Balance | None:
        item = self._get(_player_pk(player_id), "BALANCE")
        if item is None:
            return None
        return Balance(
            player_id=player_id,
            currency=item["currency"]["S"],
            cash=int(item["cash"]["N"]),
            bonus=int(item.get("bonus", {"N": "0"})["N"]),
        )

    def entry(self, transaction_id: str) -> LedgerEntry | None:
        item = self._get(_tx_pk(transaction_id), "ENTRY")
        return None if item is None else _entry_from_item(item)

{%- if cookiecutter.module_responsible_gaming %}

    def credit(self, entry: LedgerEntry, guard: TransactionGuard | None = None) -> None:
{%- else %}

    def credit(self, entry: LedgerEntry) -> None:
{%- endif %}
        items = [self._put_entry(entry), self._add_to_balance(entry, guard_currency=True)]
        if entry.kind is EntryKind.WIN and entry.reference is not None:
            # In the same transaction: a rollback of the bet that commits first refuses the win.
            items.append(
                {
                    "ConditionCheck": {
                        "TableName": self.table_name,
                        "Key": _key(_tx_pk(entry.reference), "ENTRY"),
                        "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(reversed_by)",
                    }
                }
            )
        try:
{%- if cookiecutter.module_responsible_gaming %}
            self._transact([*items, *self._guard_items(guard)])
{%- else %}
            self._transact(items)
{%- endif %}
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                raise DuplicateTransaction(entry.transaction_id) from None
            if cancelled.failed(1):
                raise _currency_mismatch(cancelled.old_item(1), entry) from None
            if len(items) > 2 and cancelled.failed(2):
                raise AlreadyReversed(entry.reference) from None
{%- if cookiecutter.module_responsible_gaming %}
            _raise_guard_failure(cancelled, len(items), guard)
{%- endif %}
            raise
{% if cookiecutter.module_responsible_gaming %}
    def debit(self, entry: LedgerEntry, guard: TransactionGuard | None = None) -> None:
{%- else %}
    def debit(self, entry: LedgerEntry) -> None:
{%- endif %}
        take_from_balance = {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(_player_pk(entry.player_id), "BALANCE"),
                # Only the balance the bet takes is checked and debited: the other one never covers it.
                "UpdateExpression": "SET #funds = #funds - :amount",
                "ConditionExpression": "currency = :currency AND #funds >= :amount",
                "ExpressionAttributeNames": {"#funds": entry.funds.value},
                "ExpressionAttributeValues": {":amount": _n(entry.amount), ":currency": _s(entry.currency)},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
        try:
{%- if cookiecutter.module_responsible_gaming %}
            self._transact([self._put_entry(entry), take_from_balance, *self._guard_items(guard)])
{%- else %}
            self._transact([self._put_entry(entry), take_from_balance])
{%- endif %}
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                raise DuplicateTransaction(entry.transaction_id) from None
            if cancelled.failed(1):
                wallet = cancelled.old_item(1)
                if wallet is None:
                    raise InsufficientFunds("the player has no balance") from None
                if wallet["currency"]["S"] != entry.currency:
                    raise _currency_mismatch(wallet, entry) from None
                raise InsufficientFunds(
                    f"the {entry.kind} would take the {entry.funds} balance below zero"
                ) from None
{%- if cookiecutter.module_responsible_gaming %}
            _raise_guard_failure(cancelled, 2, guard)
{%- endif %}
            raise
{% if cookiecutter.module_responsible_gaming %}
    def reverse(self, rollback: LedgerEntry, bet: LedgerEntry, guard: TransactionGuard | None = None) -> None:
{%- else %}
    def reverse(self, rollback: LedgerEntry, bet: LedgerEntry) -> None:
{%- endif %}
        mark_bet = {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(_tx_pk(bet.transaction_id), "ENTRY"),
                "UpdateExpression": "SET reversed_by = :rollback",
                "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(reversed_by)",
                "ExpressionAttributeValues": {":rollback": _s(rollback.transaction_id)},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
        items = [self._put_entry(rollback), mark_bet, self._add_to_balance(rollback, guard_currency=False)]
        try:
{%- if cookiecutter.module_responsible_gaming %}
            self._transact([*items, *self._guard_items(guard)])
{%- else %}
            self._transact(items)
{%- endif %}
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                raise DuplicateTransaction(rollback.transaction_id) from None
            if cancelled.failed(1):
                if cancelled.old_item(1) is None:
                    raise LookupError(f"bet {bet.transaction_id} is not in the ledger") from None
                raise AlreadyReversed(bet.transaction_id) from None
{%- if cookiecutter.module_responsible_gaming %}
            _raise_guard_failure(cancelled, len(items), guard)
{%- endif %}
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

{%- if cookiecutter.module_responsible_gaming %}

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
        if guard is None:
            return []
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
{%- endif %}

    def _put_entry(self, entry: LedgerEntry) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": _entry_to_item(entry),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _add_to_balance(self, entry: LedgerEntry, *, guard_currency: bool) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _key(_player_pk(entry.player_id), "BALANCE"),
            # Both balances exist from the first credit on, so a debit can always compare against one.
            "UpdateExpression": (
                "SET currency = if_not_exists(currency, :currency), #kept = if_not_exists(#kept, :zero), "
                "#moved = if_not_exists(#moved, :zero) + :amount"
            ),
            "ExpressionAttributeNames": {"#moved": entry.funds.value, "#kept": _other(entry.funds).value},
            "ExpressionAttributeValues": {
                ":amount": _n(entry.amount),
                ":currency": _s(entry.currency),
                ":zero": _n(0),
            },
        }
        if guard_currency:
            update["ConditionExpression"] = "attribute_not_exists(pk) OR currency = :currency"
            update["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return {"Update": update}


{%- if cookiecutter.module_responsible_gaming %}


PROTECTION_SK = "PROTECTION"


def _raise_guard_failure(cancelled: TransactionCancelled, first: int, guard: TransactionGuard | None) -> None:
    """Raise what failed among a guard's items, which start at index `first` of the transaction."""
    if guard is None:
        return
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
{%- endif %}


def _other(funds: Funds) -> Funds:
    return Funds.CASH if funds is Funds.BONUS else Funds.BONUS


def _player_pk(player_id: str) -> str:
    return f"PLAYER#{player_id}"


def _tx_pk(transaction_id: str) -> str:
    return f"TX#{transaction_id}"


def _entry_to_item(entry: LedgerEntry) -> Item:
    created_at = _timestamp(entry.created_at)
    item: Item = {
        **_key(_tx_pk(entry.transaction_id), "ENTRY"),
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
    return item


def _entry_from_item(item: Item) -> LedgerEntry:
    return LedgerEntry(
        transaction_id=item["pk"]["S"].removeprefix("TX#"),
        player_id=item["player_id"]["S"],
        kind=EntryKind(item["kind"]["S"]),
        amount=int(item["amount"]["N"]),
        currency=item["currency"]["S"],
        fingerprint=item["fingerprint"]["S"],
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        reference=item["reference"]["S"] if "reference" in item else None,
        reversed_by=item["reversed_by"]["S"] if "reversed_by" in item else None,
        funds=Funds(item["funds"]["S"]) if "funds" in item else Funds.CASH,
    )


def _currency_mismatch(wallet: Item | None, entry: LedgerEntry) -> CurrencyMismatch:
    held = wallet["currency"]["S"] if wallet else "another currency"
    return CurrencyMismatch(f"the wallet holds {held}, not {entry.currency}", field="currency")
{%- endif %}
{%- if cookiecutter.module_sessions %}


class DynamoSessionStore(_DynamoTable):
    """Player sessions and their once-per-event activity totals in one DynamoDB table."""

    def save(self, session: Session) -> None:
        # Lifecycle fields only: the activity totals belong to record_activity, which may run at the
        # same time in the worker; a whole-item put here would lose its increments.
        names = {"#status": "status"}
        values: Item = {
            ":player": _s(session.player_id),
            ":status": _s(session.status.value),
            ":started": _s(_timestamp(session.started_at)),
            ":seen": _s(_timestamp(session.last_seen_at)),
            ":zero": _n(0),
        }
        update = (
            "SET player_id = :player, #status = :status, started_at = :started, last_seen_at = :seen, "
            "bets = if_not_exists(bets, :zero), staked = if_not_exists(staked, :zero), "
            "won = if_not_exists(won, :zero)"
        )
{%- if cookiecutter.module_responsible_gaming %}
        update += ", reality_checks_due = :checks_due"
        values[":checks_due"] = _n(session.reality_checks_due)
        if session.reality_check_minutes is not None:
            update += ", reality_check_minutes = :check_minutes"
            values[":check_minutes"] = _n(session.reality_check_minutes)
{%- endif %}
        if session.ended_at is not None:
            update += ", ended_at = :ended"
            values[":ended"] = _s(_timestamp(session.ended_at))
        else:
            update += " REMOVE ended_at"
        self.client.update_item(
            TableName=self.table_name,
            Key=_key(_session_pk(session.session_id), "SESSION"),
            UpdateExpression=update,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def get(self, session_id: str) -> Session | None:
        item = self._get(_session_pk(session_id), "SESSION")
        if item is None:
            return None
        return Session(
            session_id=session_id,
            player_id=item["player_id"]["S"],
            status=SessionStatus(item["status"]["S"]),
            started_at=datetime.fromisoformat(item["started_at"]["S"]),
            last_seen_at=datetime.fromisoformat(item["last_seen_at"]["S"]),
            ended_at=datetime.fromisoformat(item["ended_at"]["S"]) if "ended_at" in item else None,
            activity=SessionActivity(
                bets=int(item["bets"]["N"]), staked=int(item["staked"]["N"]), won=int(item["won"]["N"])
            ),
{%- if cookiecutter.module_responsible_gaming %}
            reality_check_minutes=(
                int(item["reality_check_minutes"]["N"]) if "reality_check_minutes" in item else None
            ),
            reality_checks_due=int(item.get("reality_checks_due", {"N": "0"})["N"]),
{%- endif %}
        )

    def record_activity(self, session_id: str, event_id: str, activity: SessionActivity) -> bool:
        # TTL runs on DynamoDB's wall clock, so the marker's expiry uses the real time too.
        marker = {
            "Put": {
                "TableName": self.table_name,
                "Item": {
                    **_key(_session_pk(session_id), f"EVENT#{event_id}"),
                    "expires_at": _n(int(time.time()) + MARKER_TTL_SECONDS),
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        add_totals = {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(_session_pk(session_id), "SESSION"),
                "UpdateExpression": "ADD bets :bets, staked :staked, won :won",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {
                    ":bets": _n(activity.bets),
                    ":staked": _n(activity.staked),
                    ":won": _n(activity.won),
                },
            }
        }
        try:
            self._transact([marker, add_totals])
        except TransactionCancelled as cancelled:
            if cancelled.failed(1):
                raise NotFound(f"session {session_id} does not exist") from None
            if cancelled.failed(0):
                return False
            raise
        return True


def _session_pk(session_id: str) -> str:
    return f"SESSION#{session_id}"
{%- endif %}


class AuditAppendContention(RuntimeError):
    """Other writers kept moving the chain's head; the events were not appended (retry later)."""


class DynamoAuditLog(_DynamoTable):
    """The hash chain in one DynamoDB table: each append is ONE conditional TransactWriteItems.

    The transaction moves the head only if it is still the head the new records link to, and writes
    every record and event marker only if absent: the chain cannot fork, and an event id is
    recorded once however often it is delivered.
    """

    def append(self, events: Sequence[AuditEvent], recorded_at: datetime) -> AppendResult:
        unique = list({event.event_id: event for event in reversed(events)}.values())[::-1]
        appended: list[AuditRecord] = []
        already: dict[str, int] = {}
        for start in range(0, len(unique), AUDIT_EVENTS_PER_TRANSACTION):
            result = self._append_chunk(unique[start : start + AUDIT_EVENTS_PER_TRANSACTION], recorded_at)
            appended.extend(result.appended)
            already.update(result.already_recorded)
        return AppendResult(appended, already)

    def head(self) -> ChainHead:
        item = self._get(AUDIT_CHAIN_PK, "HEAD")
        return ChainHead() if item is None else ChainHead(int(item["sequence"]["N"]), item["hash"]["S"])

    def record(self, sequence: int) -> AuditRecord | None:
        item = self._get(AUDIT_CHAIN_PK, _record_sk(sequence))
        return None if item is None else _audit_record_from_item(item)

    def records(self) -> Iterator[AuditRecord]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :chain AND begins_with(sk, :record)",
            ExpressionAttributeValues={":chain": _s(AUDIT_CHAIN_PK), ":record": _s("RECORD#")},
            ConsistentRead=True,
        )
        for page in pages:
            for item in page.get("Items", []):
                yield _audit_record_from_item(item)

    def _append_chunk(self, events: list[AuditEvent], recorded_at: datetime) -> AppendResult:
        for attempt in range(AUDIT_APPEND_ATTEMPTS):
            already = self._sequences_of([event.event_id for event in events])
            new = [event for event in events if event.event_id not in already]
            if not new:
                return AppendResult([], already)
            head = self.head()
            records = link(head, new, recorded_at)
            items = [self._move_head(head, records[-1])]
            for record in records:
                items.append(self._put_if_absent(_audit_record_to_item(record)))
                marker = {**_key(_event_pk(record.event_id), "EVENT"), "sequence": _n(record.sequence)}
                items.append(self._put_if_absent(marker))
            try:
                self._transact(items)
            except TransactionCancelled as cancelled:
                codes = {reason.get("Code") for reason in cancelled.reasons} - {"None"}
                if not codes <= {"ConditionalCheckFailed", "TransactionConflict"}:
                    raise
                # Another writer moved the head or recorded one of these events first: back off
                # (growing jitter, so contending writers spread out) and read again.
                time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - jitter, not crypto
                continue
            return AppendResult(records, already)
        raise AuditAppendContention(
            f"the audit chain's head kept moving; {len(events)} event(s) not appended"
        )

    def _sequences_of(self, event_ids: list[str]) -> dict[str, int]:
        """The sequence of every event id already recorded (strongly consistent reads)."""
        found: dict[str, int] = {}
        request: dict[str, Any] = {
            self.table_name: {
                "Keys": [_key(_event_pk(event_id), "EVENT") for event_id in event_ids],
                "ConsistentRead": True,
            }
        }
        while request:
            response = self.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table_name, []):
                found[item["pk"]["S"].removeprefix("EVENT#")] = int(item["sequence"]["N"])
            request = response.get("UnprocessedKeys") or {}
        return found

    def _move_head(self, head: ChainHead, last: AuditRecord) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _key(AUDIT_CHAIN_PK, "HEAD"),
            "UpdateExpression": "SET #sequence = :sequence, #hash = :hash",
            "ExpressionAttributeNames": {"#sequence": "sequence", "#hash": "hash"},
            "ExpressionAttributeValues": {":sequence": _n(last.sequence), ":hash": _s(last.hash)},
        }
        if head.sequence == 0:
            update["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            update["ConditionExpression"] = "#sequence = :head_sequence AND #hash = :head_hash"
            update["ExpressionAttributeValues"].update(
                {":head_sequence": _n(head.sequence), ":head_hash": _s(head.hash)}
            )
        return {"Update": update}

    def _put_if_absent(self, item: Item) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }


AUDIT_CHAIN_PK = "CHAIN"


def _record_sk(sequence: int) -> str:
    return f"RECORD#{sequence:020d}"


def _event_pk(event_id: str) -> str:
    return f"EVENT#{event_id}"


def _audit_record_to_item(record: AuditRecord) -> Item:
    return {
        **_key(AUDIT_CHAIN_PK, _record_sk(record.sequence)),
        "sequence": _n(record.sequence),
        "event_id": _s(record.event_id),
        "name": _s(record.name),
        "source": _s(record.source),
        "occurred_at": _s(record.occurred_at),
        "correlation_id": _s(record.correlation_id),
        "detail": _s(json.dumps(dict(record.detail), sort_keys=True)),
        "recorded_at": _s(record.recorded_at),
        "previous_hash": _s(record.previous_hash),
        "hash": _s(record.hash),
    }


def _audit_record_from_item(item: Item) -> AuditRecord:
    return AuditRecord(
        sequence=int(item["sequence"]["N"]),
        event_id=item["event_id"]["S"],
        name=item["name"]["S"],
        source=item["source"]["S"],
        occurred_at=item["occurred_at"]["S"],
        correlation_id=item["correlation_id"]["S"],
        detail=json.loads(item["detail"]["S"]),
        recorded_at=item["recorded_at"]["S"],
        previous_hash=item["previous_hash"]["S"],
        hash=item["hash"]["S"],
    )


def _key(pk: str, sk: str) -> Item:
    return {"pk": _s(pk), "sk": _s(sk)}


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _timestamp(moment: datetime) -> str:
    """UTC ISO 8601 with a fixed width, so timestamps sort as strings (the GSI's sort key)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
