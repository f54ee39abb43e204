"""The promotions' Azure Table Storage store: grants, trigger counts and wagering, once per event.

Entity layout (one table, one partition per player: PartitionKey=PLAYER:<player_id>; keys percent-encoded
by adapters/azure_tables.py, so an id never holds a `:`):
- grant          RowKey=GRANT:<promotion_id>          player_id, promotion_id, transaction_id, amount,
                                                      currency, wagering_required, wagered (Int64),
                                                      granted_at, completed_at?
- first deposit  RowKey=FIRST_DEPOSIT                 event_id
- bets of a day  RowKey=BETS:<promotion_id>:<day>     bets (Int64)
- counted bet    RowKey=BET:<promotion_id>:<event_id>
- counted stake  RowKey=STAKE:<bet_transaction_id>    event_id, completed (the promotion ids, JSON)

Everything of a player is in the player's partition, so each write the port promises atomic is ONE
entity group transaction. Counting a bet: its marker (insert if absent) and the day's count at the ETag
read (or inserted). Counting a stake: its marker (insert if absent) and every grant it moves at the
ETag read, after checking that each grant's wagering is still `before` and not complete: a redelivered
event fails the marker and changes nothing; a grant moved meanwhile fails its ETag and the stake is
refused (WageringContention), the service reads again and proposes again.

Requests per operation: `grant` 1; `grants` 1 (one query of the player's grants); `record_grant` 1
(insert if absent); `claim_first_deposit` 1 (insert if absent; 2 when one is there: its read);
`count_bet` 2 (the day's count, the transaction; a lost race costs both again, a redelivery a read);
`count_stake` 2 (the stake and its grants in one query per 14 rows, the transaction); `counted_stake` 1.
Table Storage has no TTL: markers and day counts stay (DynamoDB's expire after 15 days).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import unquote

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient, TableEntity, TableTransactionError, UpdateMode

from ..domain.promotions import BonusGrant, CountedStake, WageringContention, WageringProgress
from .azure_tables import (
    TRANSACTION_OPERATIONS,
    back_off,
    error_code,
    if_unchanged,
    int64,
    integer,
    key,
    lost_race,
    rows_of,
)
from .document_records import timestamp

# Bets counted at once on one day's count read again and try again; this bounds it so a broken table
# fails loudly instead of spinning.
RACE_ATTEMPTS = 100
# A transaction holds at most 100 operations: the stake's marker and up to 99 grants it moves.
MAX_GRANTS_PER_STAKE = TRANSACTION_OPERATIONS - 1
GRANT = "GRANT:"
PAST_GRANT = "GRANT;"


class TablePromotionStore:
    """The promotions table: every write is insert-if-absent or at an ETag, so events count once."""

    def __init__(self, table: TableClient) -> None:
        self.table = table

    def grant(self, player_id: str, promotion_id: str) -> BonusGrant | None:
        stored = self._read(_player_partition(player_id), _grant_row(promotion_id))
        return None if stored is None else _grant_from(stored)

    def grants(self, player_id: str) -> list[BonusGrant]:
        found = self.table.query_entities(
            "PartitionKey eq @player and RowKey ge @first and RowKey lt @last",
            parameters={"player": _player_partition(player_id), "first": GRANT, "last": PAST_GRANT},
        )
        return [_grant_from(entity) for entity in found]

    def record_grant(self, grant: BonusGrant) -> bool:
        try:
            self.table.create_entity(_grant_entity(grant))
        except ResourceExistsError:
            return False
        return True

    def claim_first_deposit(self, player_id: str, event_id: str) -> bool:
        partition = _player_partition(player_id)
        try:
            self.table.create_entity(
                {"PartitionKey": partition, "RowKey": "FIRST_DEPOSIT", "event_id": event_id}
            )
        except ResourceExistsError:
            # The same event again is still the first deposit: its grant may not have been made yet.
            stored = self._read(partition, "FIRST_DEPOSIT")
            return stored is not None and stored["event_id"] == event_id
        return True

    def count_bet(self, player_id: str, promotion_id: str, day: str, event_id: str) -> int:
        partition = _player_partition(player_id)
        day_row = f"BETS:{key(promotion_id)}:{key(day)}"
        for _ in range(RACE_ATTEMPTS):
            stored = self._read(partition, day_row)
            bets = integer(stored, "bets") + 1 if stored is not None else 1
            count = {"PartitionKey": partition, "RowKey": day_row, "bets": int64(bets)}
            operations: list[tuple[object, ...]] = [
                ("create", {"PartitionKey": partition, "RowKey": f"BET:{key(promotion_id)}:{key(event_id)}"}),
                ("create", count)
                if stored is None
                else ("update", count, {"mode": UpdateMode.MERGE, **if_unchanged(stored)}),
            ]
            try:
                self.table.submit_transaction(operations)
                return bets
            except TableTransactionError as failure:
                if error_code(failure) == "EntityAlreadyExists" and failure.index == 0:
                    counted = self._read(partition, day_row)  # counted before: the day's count as it is
                    return 0 if counted is None else integer(counted, "bets")
                if not lost_race(failure):
                    raise
                back_off()
        raise RuntimeError(f"bets of {player_id}: kept losing races to other bets of the day")

    def count_stake(
        self, player_id: str, stake: CountedStake, progress: Sequence[WageringProgress], at: datetime
    ) -> CountedStake:
        if len(progress) > MAX_GRANTS_PER_STAKE:
            raise ValueError(f"a stake can move at most {MAX_GRANTS_PER_STAKE} grants in one transaction")
        partition = _player_partition(player_id)
        stake_row = _stake_row(stake.bet_transaction_id)
        grant_rows = [_grant_row(step.promotion_id) for step in progress]
        stored = rows_of(self.table, partition, [stake_row, *grant_rows])
        if stake_row in stored:
            return _stake_from(stake.bet_transaction_id, stored[stake_row])
        operations: list[tuple[object, ...]] = [
            (
                "create",
                {
                    "PartitionKey": partition,
                    "RowKey": stake_row,
                    "event_id": stake.event_id,
                    "completed": json.dumps(list(stake.completed)),
                },
            )
        ]
        for step in progress:
            grant = stored.get(_grant_row(step.promotion_id))
            # Only from the wagering that was read: two stakes of one player cannot both add to it.
            if grant is None or integer(grant, "wagered") != step.before or "completed_at" in grant:
                raise WageringContention(f"the wagering of {player_id} moved")
            moved: dict[str, object] = {
                "PartitionKey": partition,
                "RowKey": _grant_row(step.promotion_id),
                "wagered": int64(step.after),
            }
            if step.completes:
                moved["completed_at"] = timestamp(at)
            operations.append(("update", moved, {"mode": UpdateMode.MERGE, **if_unchanged(grant)}))
        try:
            self.table.submit_transaction(operations)
        except TableTransactionError as failure:
            if error_code(failure) == "EntityAlreadyExists" and failure.index == 0:
                earlier = self.counted_stake(player_id, stake.bet_transaction_id)
                if earlier is not None:
                    return earlier
            if lost_race(failure):
                raise WageringContention(f"the wagering of {player_id} moved") from None
            raise
        return stake

    def counted_stake(self, player_id: str, bet_transaction_id: str) -> CountedStake | None:
        stored = self._read(_player_partition(player_id), _stake_row(bet_transaction_id))
        return None if stored is None else _stake_from(bet_transaction_id, stored)

    def _read(self, partition: str, row_key: str) -> TableEntity | None:
        try:
            return self.table.get_entity(partition, row_key)
        except ResourceNotFoundError:
            return None


def _player_partition(player_id: str) -> str:
    return f"PLAYER:{key(player_id)}"


def _grant_row(promotion_id: str) -> str:
    return f"{GRANT}{key(promotion_id)}"


def _stake_row(bet_transaction_id: str) -> str:
    return f"STAKE:{key(bet_transaction_id)}"


def _stake_from(bet_transaction_id: str, entity: TableEntity) -> CountedStake:
    return CountedStake(
        bet_transaction_id=bet_transaction_id,
        event_id=str(entity["event_id"]),
        completed=tuple(json.loads(entity["completed"])),
    )


def _grant_entity(grant: BonusGrant) -> dict[str, object]:
    entity: dict[str, object] = {
        "PartitionKey": _player_partition(grant.player_id),
        "RowKey": _grant_row(grant.promotion_id),
        "player_id": grant.player_id,
        "promotion_id": grant.promotion_id,
        "transaction_id": grant.transaction_id,
        "amount": int64(grant.amount),
        "currency": grant.currency,
        "wagering_required": int64(grant.wagering_required),
        "wagered": int64(grant.wagered),
        "granted_at": timestamp(grant.granted_at),
    }
    if grant.completed_at is not None:
        entity["completed_at"] = timestamp(grant.completed_at)
    return entity


def _grant_from(entity: TableEntity) -> BonusGrant:
    return BonusGrant(
        player_id=str(entity["player_id"]),
        promotion_id=unquote(str(entity["RowKey"]).removeprefix(GRANT)),
        transaction_id=str(entity["transaction_id"]),
        amount=integer(entity, "amount"),
        currency=str(entity["currency"]),
        wagering_required=integer(entity, "wagering_required"),
        wagered=integer(entity, "wagered"),
        granted_at=datetime.fromisoformat(entity["granted_at"]),
        completed_at=datetime.fromisoformat(entity["completed_at"]) if "completed_at" in entity else None,
    )
