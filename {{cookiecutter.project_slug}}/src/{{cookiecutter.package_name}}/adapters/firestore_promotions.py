"""The promotions' Firestore store (the casino's named database): grants, trigger counts and wagering.

Document layout (one player's documents under promotion_players/<player_id>):
- first deposit   promotion_players/<player_id>  first_deposit (the event id that claimed it)
- grant           promotion_players/<player_id>/grants/<promotion_id>  player_id, promotion_id,
                  transaction_id, amount, currency, wagering_required, wagered, granted_at, completed_at?
- bets of a day   promotion_players/<player_id>/promotion_counts/day#<promotion_id>#<day>  bets, expires_at
- counted bet     promotion_players/<player_id>/promotion_counts/bet#<promotion_id>#<event_id>  expires_at
- counted stake   promotion_players/<player_id>/promotion_counts/stake#<bet_transaction_id>  event_id,
                  completed, expires_at
`expires_at` is a timestamp: the database's TTL policy on the promotion_counts collections deletes the
markers and day counts after every copy of their events is gone (infra/modules/promotions).

Requests per operation (tests/gcp/test_firestore_promotions.py counts them):
- grant / grants       one read / one query of the player's grants.
- record_grant         ONE commit creating the grant only if absent: the first grant stands.
- claim_first_deposit  ONE commit creating the player's document only if absent; if it exists, one read
                       of it (the same event again is still the first deposit).
- count_bet            ONE commit (the event's marker only if absent, a server-side increment of the
                       day's count), then one read of the count; a replay fails whole and adds nothing.
- count_stake          one BatchGetDocuments of the stake's marker and the grants it moves, then ONE
                       commit: the marker only if absent, each grant only if its update time is still
                       the one read (its wagering the `before` the service read). A stake counted
                       before answers that stake; a grant moved meanwhile fails the commit whole
                       (WageringContention: the service reads again).
- counted_stake        one read.

Why commits with preconditions rather than read-write transactions: the database runs in pessimistic
concurrency mode (infra/main.tf), where a transaction's reads lock their documents, so the stakes of
one player's bets settled at once would queue on the locks of their grants; a commit conditioned on
"absent" or on an update time locks nothing, and a loser fails at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core.exceptions import AlreadyExists, FailedPrecondition
from google.cloud import firestore

from ..domain.promotions import BonusGrant, CountedStake, WageringContention, WageringProgress
from .document_records import timestamp

Document = dict[str, Any]
PLAYERS = "promotion_players"
COUNTS = "promotion_counts"
# Markers and day counts outlive every copy of the event: a redelivered or replayed event is still
# recognised as counted for this long (the push subscription's retention and its dead-letter topic's).
MARKER_TTL = timedelta(days=15)
# A commit holds at most 500 writes: the stake's marker and up to 499 grants it moves.
MAX_GRANTS_PER_STAKE = 499


class FirestorePromotionStore:
    """Promotion grants, trigger counts and wagering in Firestore documents, each counted once."""

    def __init__(
        self,
        database: str,
        client: Any | None = None,
        *,
        project: str | None = None,
        players_collection: str = PLAYERS,
    ) -> None:
        self.client = client if client is not None else firestore.Client(project=project, database=database)
        self.players_collection = players_collection

    def grant(self, player_id: str, promotion_id: str) -> BonusGrant | None:
        snapshot = self._grant(player_id, promotion_id).get()
        return _grant_from(snapshot.to_dict()) if snapshot.exists else None

    def grants(self, player_id: str) -> list[BonusGrant]:
        grants = self._player(player_id).collection("grants").stream()
        return [_grant_from(snapshot.to_dict()) for snapshot in grants]

    def record_grant(self, grant: BonusGrant) -> bool:
        try:
            self._grant(grant.player_id, grant.promotion_id).create(_grant_to(grant))
        except AlreadyExists:
            return False
        return True

    def claim_first_deposit(self, player_id: str, event_id: str) -> bool:
        player = self._player(player_id)
        try:
            player.create({"first_deposit": event_id})
        except AlreadyExists:
            # The same event again is still the first deposit: its grant may not have been made yet.
            snapshot = player.get()
            return bool(snapshot.exists and snapshot.to_dict().get("first_deposit") == event_id)
        return True

    def count_bet(self, player_id: str, promotion_id: str, day: str, event_id: str) -> int:
        day_count = self._count(player_id, f"day#{promotion_id}#{day}")
        expires_at = _expiry()
        batch = self.client.batch()
        batch.create(self._count(player_id, f"bet#{promotion_id}#{event_id}"), {"expires_at": expires_at})
        batch.set(day_count, {"bets": firestore.Increment(1), "expires_at": expires_at}, merge=True)
        # Counted before (the marker exists): nothing is added, the day's count is answered as it stands.
        with suppress(AlreadyExists):
            batch.commit()
        snapshot = day_count.get()
        return int(snapshot.to_dict()["bets"]) if snapshot.exists else 0

    def count_stake(
        self, player_id: str, stake: CountedStake, progress: Sequence[WageringProgress], at: datetime
    ) -> CountedStake:
        if len(progress) > MAX_GRANTS_PER_STAKE:
            raise ValueError(f"a stake can move at most {MAX_GRANTS_PER_STAKE} grants in one commit")
        marker = self._stake(player_id, stake.bet_transaction_id)
        grants = {step.promotion_id: self._grant(player_id, step.promotion_id) for step in progress}
        read = {
            snapshot.reference.path: snapshot for snapshot in self.client.get_all([marker, *grants.values()])
        }
        if read[marker.path].exists:
            return _stake_from(stake.bet_transaction_id, read[marker.path].to_dict())
        batch = self.client.batch()
        batch.create(marker, _stake_to(stake))
        for step in progress:
            snapshot = read[grants[step.promotion_id].path]
            stored: Document | None = snapshot.to_dict() if snapshot.exists else None
            # Only from the wagering the service read: two stakes of one player cannot both add to it.
            if stored is None or stored["wagered"] != step.before or "completed_at" in stored:
                raise WageringContention(f"the wagering of {player_id} moved")
            fields: Document = {"wagered": step.after}
            if step.completes:
                fields["completed_at"] = timestamp(at)
            batch.update(
                snapshot.reference,
                fields,
                option=self.client.write_option(last_update_time=snapshot.update_time),
            )
        try:
            batch.commit()
        except (AlreadyExists, FailedPrecondition):
            earlier = self.counted_stake(player_id, stake.bet_transaction_id)
            if earlier is not None:
                return earlier
            raise WageringContention(f"the wagering of {player_id} moved") from None
        return stake

    def counted_stake(self, player_id: str, bet_transaction_id: str) -> CountedStake | None:
        snapshot = self._stake(player_id, bet_transaction_id).get()
        return _stake_from(bet_transaction_id, snapshot.to_dict()) if snapshot.exists else None

    def _player(self, player_id: str) -> Any:
        return self.client.document(f"{self.players_collection}/{player_id}")

    def _grant(self, player_id: str, promotion_id: str) -> Any:
        return self._player(player_id).collection("grants").document(promotion_id)

    def _count(self, player_id: str, document_id: str) -> Any:
        return self._player(player_id).collection(COUNTS).document(document_id)

    def _stake(self, player_id: str, bet_transaction_id: str) -> Any:
        return self._count(player_id, f"stake#{bet_transaction_id}")


def _expiry() -> datetime:
    # TTL runs on the database's wall clock, so the expiry uses the real time too.
    return datetime.now(UTC) + MARKER_TTL


def _stake_to(stake: CountedStake) -> Document:
    return {"event_id": stake.event_id, "completed": list(stake.completed), "expires_at": _expiry()}


def _stake_from(bet_transaction_id: str, document: Document) -> CountedStake:
    return CountedStake(
        bet_transaction_id=bet_transaction_id,
        event_id=document["event_id"],
        completed=tuple(document.get("completed", [])),
    )


def _grant_to(grant: BonusGrant) -> Document:
    document: Document = {
        "player_id": grant.player_id,
        "promotion_id": grant.promotion_id,
        "transaction_id": grant.transaction_id,
        "amount": grant.amount,
        "currency": grant.currency,
        "wagering_required": grant.wagering_required,
        "wagered": grant.wagered,
        "granted_at": timestamp(grant.granted_at),
    }
    if grant.completed_at is not None:
        document["completed_at"] = timestamp(grant.completed_at)
    return document


def _grant_from(document: Document) -> BonusGrant:
    return BonusGrant(
        player_id=document["player_id"],
        promotion_id=document["promotion_id"],
        transaction_id=document["transaction_id"],
        amount=int(document["amount"]),
        currency=document["currency"],
        wagering_required=int(document["wagering_required"]),
        wagered=int(document["wagered"]),
        granted_at=datetime.fromisoformat(document["granted_at"]),
        completed_at=datetime.fromisoformat(document["completed_at"]) if "completed_at" in document else None,
    )
