"""One suite for every NotificationStore: the chosen cloud's adapter must behave like the in-memory one.

The cloud's store comes from its fixtures (tests/support/real_stores.py); what only one cloud's store does
(its requests, its records) is tested in that store's own file.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from tests.support.real_stores import store_params

from {{ cookiecutter.package_name }}.adapters.memory_notifications import InMemoryNotificationStore
from {{ cookiecutter.package_name }}.domain.notifications import (
    CLAIM_LEASE,
    INDEFINITELY,
    Claim,
    ClaimStatus,
    Delivery,
    NotificationPreferences,
)
from {{ cookiecutter.package_name }}.ports.notifications import NotificationStore

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=store_params("real_notification_store"))
def store(request: pytest.FixtureRequest) -> NotificationStore:
    if request.param == "memory":
        return InMemoryNotificationStore()
    store: NotificationStore = request.getfixturevalue("real_notification_store")
    return store


def claim(store: NotificationStore, notification_id: str = "event-1", now: datetime = NOW) -> Claim:
    return store.claim(notification_id, now, now + CLAIM_LEASE)


def test_unknown_player_has_no_preferences(store: NotificationStore) -> None:
    assert store.preferences("player-none") is None


def test_choices_read_back_equal(store: NotificationStore) -> None:
    store.set_choices("player-1", True, "ann@example.com", NOW)

    assert store.preferences("player-1") == NotificationPreferences(
        "player-1", marketing=True, email="ann@example.com", updated_at=NOW
    )


def test_choices_of_none_remove_the_stored_values(store: NotificationStore) -> None:
    store.set_choices("player-1", True, "ann@example.com", NOW)

    store.set_choices("player-1", None, None, NOW + timedelta(minutes=1))

    assert store.preferences("player-1") == NotificationPreferences(
        "player-1", updated_at=NOW + timedelta(minutes=1)
    )


def test_choices_keep_the_recorded_exclusion(store: NotificationStore) -> None:
    until = NOW + timedelta(days=180)
    store.record_exclusion("player-1", until)

    store.set_choices("player-1", True, None, NOW)

    stored = store.preferences("player-1")
    assert stored is not None
    assert (stored.marketing, stored.excluded_until) == (True, until)


def test_the_later_exclusion_end_is_kept(store: NotificationStore) -> None:
    store.record_exclusion("player-1", NOW + timedelta(days=30))
    store.record_exclusion("player-1", NOW + timedelta(days=365))
    store.record_exclusion("player-1", NOW + timedelta(days=60))

    stored = store.preferences("player-1")
    assert stored is not None
    assert stored.excluded_until == NOW + timedelta(days=365)
    assert stored.marketing is None


def test_an_indefinite_exclusion_outlasts_any_dated_one(store: NotificationStore) -> None:
    store.record_exclusion("player-1", INDEFINITELY)
    store.record_exclusion("player-1", NOW + timedelta(days=3650))

    stored = store.preferences("player-1")
    assert stored is not None
    assert stored.excluded_until == INDEFINITELY


def test_a_delivery_is_claimed_once_then_done(store: NotificationStore) -> None:
    assert claim(store) == Claim(ClaimStatus.CLAIMED)
    assert claim(store) == Claim(ClaimStatus.BUSY)

    store.mark_done("event-1", Delivery.SENT)

    assert claim(store) == Claim(ClaimStatus.DONE, Delivery.SENT)
    assert claim(store, now=NOW + timedelta(days=1)) == Claim(ClaimStatus.DONE, Delivery.SENT)


def test_an_expired_claim_can_be_taken_over(store: NotificationStore) -> None:
    claim(store)

    assert claim(store, now=NOW + CLAIM_LEASE - timedelta(seconds=1)) == Claim(ClaimStatus.BUSY)
    assert claim(store, now=NOW + CLAIM_LEASE) == Claim(ClaimStatus.CLAIMED)


def test_a_released_claim_can_be_claimed_again(store: NotificationStore) -> None:
    claim(store)

    store.release("event-1")

    assert claim(store) == Claim(ClaimStatus.CLAIMED)


def test_release_leaves_a_finished_delivery_done(store: NotificationStore) -> None:
    claim(store)
    store.mark_done("event-1", Delivery.UNDELIVERABLE)

    store.release("event-1")
    store.release("event-never-claimed")

    assert claim(store) == Claim(ClaimStatus.DONE, Delivery.UNDELIVERABLE)


def test_deliveries_are_claimed_per_notification(store: NotificationStore) -> None:
    assert claim(store, "event-1") == Claim(ClaimStatus.CLAIMED)
    assert claim(store, "event-2") == Claim(ClaimStatus.CLAIMED)


def test_concurrent_claims_of_one_delivery_have_one_winner(store: NotificationStore) -> None:
    results: list[ClaimStatus] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def worker() -> None:
        barrier.wait()
        result = claim(store).status
        with lock:
            results.append(result)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == sorted([ClaimStatus.CLAIMED] + [ClaimStatus.BUSY] * 5)
