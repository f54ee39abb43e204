"""The Firestore promotion store's own requests and documents, on the gcloud Firestore emulator.

The behaviour every store shares is tests/contract/test_promotion_store_contract.py (run here on
Firestore through tests/support/fixtures_gcp_promotions.py); this file is what only Firestore's store
shows: the requests each operation costs, counted, the update-time precondition that keeps a stake from
moving a grant another stake moved after the read, and the expiry the TTL policy relies on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.cloud import firestore
from tests.gcp.firestore_emulator import PROJECT
from tests.gcp.firestore_requests import Requests
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_promotions import (
    COUNTS,
    MARKER_TTL,
    PLAYERS,
    FirestorePromotionStore,
)
from {{ cookiecutter.package_name }}.domain.promotions import (
    BonusGrant,
    CountedStake,
    WageringContention,
    WageringProgress,
)

PLAYER = "player-1"
GRANTED_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
LATER = GRANTED_AT + timedelta(hours=1)


@pytest.fixture
def store(firestore_client: Any) -> FirestorePromotionStore:
    return FirestorePromotionStore(DATABASE, firestore_client)


def welcome(required: int = 1_000) -> BonusGrant:
    return BonusGrant(PLAYER, "welcome", f"promo:welcome:{PLAYER}", 100, "EUR", required, 0, GRANTED_AT)


def step(before: int, after: int, required: int = 1_000) -> WageringProgress:
    return WageringProgress("welcome", before, after, required)


def test_each_write_is_one_commit(store: FirestorePromotionStore) -> None:
    """A grant, a first deposit, a bet: one commit each (a bet then reads its day's count). A stake: one
    read of its marker and grants, one commit; a stake counted before is that read only."""
    requests = Requests(store.client)
    stake = CountedStake("bet-1", "event-1")

    seen = {
        "grant": requests.of(lambda: store.record_grant(welcome()))[1],
        "grant again": requests.of(lambda: store.record_grant(welcome()))[1],
        "first deposit": requests.of(lambda: store.claim_first_deposit(PLAYER, "event-1"))[1],
        "first deposit again": requests.of(lambda: store.claim_first_deposit(PLAYER, "event-1"))[1],
        "bet": requests.of(lambda: store.count_bet(PLAYER, "ten-bets", "2030-01-01", "event-1"))[1],
        "stake": requests.of(lambda: store.count_stake(PLAYER, stake, [step(0, 300)], LATER))[1],
        "stake again": requests.of(lambda: store.count_stake(PLAYER, stake, [step(300, 600)], LATER))[1],
        "counted stake": requests.of(lambda: store.counted_stake(PLAYER, "bet-1"))[1],
        "grants": requests.of(lambda: store.grants(PLAYER))[1],
    }

    assert seen == {
        "grant": ["commit"],
        "grant again": ["commit"],
        "first deposit": ["commit"],
        "first deposit again": ["commit", "batch_get_documents"],
        "bet": ["commit", "batch_get_documents"],
        "stake": ["batch_get_documents", "commit"],
        "stake again": ["batch_get_documents"],
        "counted stake": ["batch_get_documents"],
        "grants": ["run_query"],
    }, seen


def test_a_grant_moved_between_the_read_and_the_commit_fails_the_stake_whole(
    store: FirestorePromotionStore,
) -> None:
    """Another stake moves the grant after this one read it: the update-time precondition refuses the
    commit, so neither the grant nor the stake's marker is written, and the other stake's move stands."""
    store.record_grant(welcome())
    # Another worker: a client of its own.
    other = FirestorePromotionStore(DATABASE, firestore.Client(project=PROJECT, database=DATABASE))
    batch = store.client.batch

    def batch_after_another_stake() -> Any:
        other.count_stake(PLAYER, CountedStake("bet-0", "event-0"), [step(0, 200)], LATER)
        return batch()

    store.client.batch = batch_after_another_stake

    with pytest.raises(WageringContention):
        store.count_stake(PLAYER, CountedStake("bet-1", "event-1"), [step(0, 300)], LATER)

    found = store.grant(PLAYER, "welcome")
    assert found is not None
    assert found.wagered == 200
    assert store.counted_stake(PLAYER, "bet-1") is None


def test_markers_and_day_counts_expire_after_every_copy_of_their_events(
    store: FirestorePromotionStore, firestore_client: Any
) -> None:
    """The TTL policy (infra/modules/promotions) deletes them at `expires_at`, a real timestamp."""
    before = datetime.now(UTC)
    store.record_grant(welcome())
    store.count_bet(PLAYER, "ten-bets", "2030-01-01", "event-1")
    store.count_stake(PLAYER, CountedStake("bet-1", "event-1"), [step(0, 300)], LATER)

    counts = list(firestore_client.collection(f"{PLAYERS}/{PLAYER}/{COUNTS}").stream())

    assert sorted(snapshot.id for snapshot in counts) == [
        "bet#ten-bets#event-1",
        "day#ten-bets#2030-01-01",
        "stake#bet-1",
    ]
    for snapshot in counts:
        expires_at = snapshot.to_dict()["expires_at"]
        assert before + MARKER_TTL <= expires_at <= datetime.now(UTC) + MARKER_TTL, snapshot.id
