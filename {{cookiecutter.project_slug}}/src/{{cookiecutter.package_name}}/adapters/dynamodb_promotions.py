"""DynamoDB adapter of the promotions module: grants, trigger counts and wagering, once per event.

Item layout (PromotionsTable, keys `pk`/`sk`, one partition per player):
- grant          pk=PLAYER#<player_id>  sk=GRANT#<promotion_id>         transaction_id, amount, currency,
                 wagering_required, wagered, granted_at, completed_at?
- first deposit  pk=PLAYER#<player_id>  sk=FIRST_DEPOSIT                event_id
- bets of a day  pk=PLAYER#<player_id>  sk=BETS#<promotion_id>#<day>    bets, expires_at (TTL)
- counted bet    pk=PLAYER#<player_id>  sk=BET#<promotion_id>#<event_id> expires_at (TTL)
- counted stake  pk=PLAYER#<player_id>  sk=STAKE#<bet_transaction_id>   event_id, completed, expires_at (TTL)

Counting a bet is ONE TransactWriteItems (its marker, only if absent, and an ADD to the day's
count), and so is counting a stake (its marker and every grant it moves, each only if its wagering
is still what was read): a redelivered event fails the marker's condition and changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from ..domain.promotions import BonusGrant, CountedStake, WageringContention, WageringProgress
from .dynamodb import Item, TransactionCancelled, _DynamoTable, _key, _n, _s, _timestamp

# Markers and day counts outlive every copy of the event: the queue keeps it 4 days, its dead-letter
# queue 14 days, so a message redriven from the dead-letter queue is still recognised as counted.
MARKER_TTL_SECONDS = 15 * 24 * 3600
# A transaction holds at most 100 items: the stake's marker and up to 99 grants it moves.
MAX_GRANTS_PER_STAKE = 99


class DynamoPromotionStore(_DynamoTable):
    """The promotions table: every write is conditional, so events are counted once."""

    def grant(self, player_id: str, promotion_id: str) -> BonusGrant | None:
        item = self._get(_player_pk(player_id), _grant_sk(promotion_id))
        return None if item is None else _grant_from_item(item)

    def grants(self, player_id: str) -> list[BonusGrant]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :player AND begins_with(sk, :grant)",
            ExpressionAttributeValues={":player": _s(_player_pk(player_id)), ":grant": _s("GRANT#")},
            ConsistentRead=True,
        )
        return [_grant_from_item(item) for page in pages for item in page.get("Items", [])]

    def record_grant(self, grant: BonusGrant) -> bool:
        return self._put_if_absent(_grant_to_item(grant))

    def claim_first_deposit(self, player_id: str, event_id: str) -> bool:
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={**_key(_player_pk(player_id), "FIRST_DEPOSIT"), "event_id": _s(event_id)},
                # The same event again is still the first deposit: its grant may not have been made yet.
                ConditionExpression="attribute_not_exists(pk) OR event_id = :event",
                ExpressionAttributeValues={":event": _s(event_id)},
            )
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    def count_bet(self, player_id: str, promotion_id: str, day: str, event_id: str) -> int:
        pk = _player_pk(player_id)
        day_sk = f"BETS#{promotion_id}#{day}"
        expires_at = _n(_expiry())
        marker = self._put_if_absent_item(
            {**_key(pk, f"BET#{promotion_id}#{event_id}"), "expires_at": expires_at}
        )
        add_bet = {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(pk, day_sk),
                "UpdateExpression": "ADD bets :one SET expires_at = :expires",
                "ExpressionAttributeValues": {":one": _n(1), ":expires": expires_at},
            }
        }
        try:
            self._transact([marker, add_bet])
        except TransactionCancelled as cancelled:
            if not cancelled.failed(0):
                raise
        item = self._get(pk, day_sk)
        return 0 if item is None else int(item["bets"]["N"])

    def count_stake(
        self, player_id: str, stake: CountedStake, progress: Sequence[WageringProgress], at: datetime
    ) -> CountedStake:
        if len(progress) > MAX_GRANTS_PER_STAKE:
            raise ValueError(f"a stake can move at most {MAX_GRANTS_PER_STAKE} grants in one transaction")
        pk = _player_pk(player_id)
        items = [self._put_if_absent_item(_stake_to_item(player_id, stake))]
        for step in progress:
            update: dict[str, Any] = {
                "TableName": self.table_name,
                "Key": _key(pk, _grant_sk(step.promotion_id)),
                "UpdateExpression": "SET wagered = :after",
                # Only from the wagering that was read: two stakes of one player cannot both add to it.
                "ConditionExpression": "wagered = :before AND attribute_not_exists(completed_at)",
                "ExpressionAttributeValues": {":after": _n(step.after), ":before": _n(step.before)},
            }
            if step.completes:
                update["UpdateExpression"] += ", completed_at = :at"
                update["ExpressionAttributeValues"][":at"] = _s(_timestamp(at))
            items.append({"Update": update})
        try:
            self._transact(items)
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                earlier = self.counted_stake(player_id, stake.bet_transaction_id)
                if earlier is not None:
                    return earlier
            if any(cancelled.failed(index) for index in range(len(items))):
                raise WageringContention(f"the wagering of {player_id} moved") from None
            raise
        return stake

    def counted_stake(self, player_id: str, bet_transaction_id: str) -> CountedStake | None:
        item = self._get(_player_pk(player_id), _stake_sk(bet_transaction_id))
        if item is None:
            return None
        return CountedStake(
            bet_transaction_id=bet_transaction_id,
            event_id=item["event_id"]["S"],
            completed=tuple(value["S"] for value in item["completed"]["L"]),
        )

    def _put_if_absent(self, item: Item) -> bool:
        try:
            self.client.put_item(
                TableName=self.table_name, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    def _put_if_absent_item(self, item: Item) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }


def _expiry() -> int:
    # TTL runs on DynamoDB's wall clock, so expiry uses the real time too.
    return int(time.time()) + MARKER_TTL_SECONDS


def _condition_failed(error: ClientError) -> bool:
    code: str = error.response.get("Error", {}).get("Code", "")
    return code == "ConditionalCheckFailedException"


def _player_pk(player_id: str) -> str:
    return f"PLAYER#{player_id}"


def _grant_sk(promotion_id: str) -> str:
    return f"GRANT#{promotion_id}"


def _stake_sk(bet_transaction_id: str) -> str:
    return f"STAKE#{bet_transaction_id}"


def _stake_to_item(player_id: str, stake: CountedStake) -> Item:
    return {
        **_key(_player_pk(player_id), _stake_sk(stake.bet_transaction_id)),
        "event_id": _s(stake.event_id),
        "completed": {"L": [_s(promotion_id) for promotion_id in stake.completed]},
        "expires_at": _n(_expiry()),
    }


def _grant_to_item(grant: BonusGrant) -> Item:
    item: Item = {
        **_key(_player_pk(grant.player_id), _grant_sk(grant.promotion_id)),
        "player_id": _s(grant.player_id),
        "promotion_id": _s(grant.promotion_id),
        "transaction_id": _s(grant.transaction_id),
        "amount": _n(grant.amount),
        "currency": _s(grant.currency),
        "wagering_required": _n(grant.wagering_required),
        "wagered": _n(grant.wagered),
        "granted_at": _s(_timestamp(grant.granted_at)),
    }
    if grant.completed_at is not None:
        item["completed_at"] = _s(_timestamp(grant.completed_at))
    return item


def _grant_from_item(item: Item) -> BonusGrant:
    return BonusGrant(
        player_id=item["player_id"]["S"],
        promotion_id=item["promotion_id"]["S"],
        transaction_id=item["transaction_id"]["S"],
        amount=int(item["amount"]["N"]),
        currency=item["currency"]["S"],
        wagering_required=int(item["wagering_required"]["N"]),
        wagered=int(item["wagered"]["N"]),
        granted_at=datetime.fromisoformat(item["granted_at"]["S"]),
        completed_at=datetime.fromisoformat(item["completed_at"]["S"]) if "completed_at" in item else None,
    )
