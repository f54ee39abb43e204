"""The Firestore notification store's own requests and documents, on the gcloud Firestore emulator.

The behaviour every store shares is tests/contract/test_notification_store_contract.py (run here on
Firestore through tests/support/fixtures_gcp_notifications.py); this file is what only Firestore's store
shows: the requests each operation costs, counted, and the marker's expiry the TTL policy relies on.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.gcp.firestore_requests import Requests
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_notifications import (
    DELIVERIES,
    MARKER_TTL,
    FirestoreNotificationStore,
)
from {{ cookiecutter.package_name }}.domain.notifications import (
    CLAIM_LEASE,
    ClaimStatus,
    Delivery,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(firestore_client: Any) -> FirestoreNotificationStore:
    return FirestoreNotificationStore(DATABASE, firestore_client)


def test_each_operation_is_one_commit_with_at_most_one_read(store: FirestoreNotificationStore) -> None:
    """Choices and exclusions: one commit each, nothing read. A claim: one commit; a busy or finished
    one adds one read; an expired one is taken over by one more commit. Release: one read, one commit."""
    requests = Requests(store.client)
    later = NOW + CLAIM_LEASE

    seen = {
        "choices": requests.of(lambda: store.set_choices("player-1", True, None, NOW))[1],
        "exclusion": requests.of(lambda: store.record_exclusion("player-1", NOW + timedelta(days=30)))[1],
        "preferences": requests.of(lambda: store.preferences("player-1"))[1],
        "claim": requests.of(lambda: store.claim("event-1", NOW, later))[1],
        "claim busy": requests.of(lambda: store.claim("event-1", NOW, later))[1],
        "claim expired": requests.of(lambda: store.claim("event-1", later, later + CLAIM_LEASE))[1],
        "release": requests.of(lambda: store.release("event-1"))[1],
        "claim again": requests.of(lambda: store.claim("event-1", NOW, later))[1],
        "done": requests.of(lambda: store.mark_done("event-1", Delivery.SENT))[1],
        "claim done": requests.of(lambda: store.claim("event-1", NOW, later))[1],
        "release done": requests.of(lambda: store.release("event-1"))[1],
    }

    assert seen == {
        "choices": ["commit"],
        "exclusion": ["commit"],
        "preferences": ["batch_get_documents"],
        "claim": ["commit"],
        "claim busy": ["commit", "batch_get_documents"],
        "claim expired": ["commit", "batch_get_documents", "commit"],
        "release": ["batch_get_documents", "commit"],
        "claim again": ["commit"],
        "done": ["commit"],
        "claim done": ["commit", "batch_get_documents"],
        "release done": ["batch_get_documents"],
    }, seen


def test_a_delivery_marker_expires_after_every_copy_of_the_event(
    store: FirestoreNotificationStore, firestore_client: Any
) -> None:
    """The TTL policy (infra/modules/notifications) deletes a marker at `expires_at`, a real timestamp."""
    before = datetime.now(UTC)
    store.claim("event-1", NOW, NOW + CLAIM_LEASE)
    claimed = firestore_client.document(f"{DELIVERIES}/event-1").get().to_dict()
    store.mark_done("event-1", Delivery.SENT)
    done = firestore_client.document(f"{DELIVERIES}/event-1").get().to_dict()

    for marker in (claimed, done):
        assert before + MARKER_TTL <= marker["expires_at"] <= datetime.now(UTC) + MARKER_TTL, marker
    assert (done["state"], done["outcome"]) == ("done", "sent")


def test_concurrent_takeovers_of_an_expired_claim_have_one_winner(store: FirestoreNotificationStore) -> None:
    """Six workers find the same expired claim: the update-time precondition lets one take it over."""
    store.claim("event-1", NOW, NOW + CLAIM_LEASE)
    later = NOW + CLAIM_LEASE
    barrier = threading.Barrier(6)
    results: list[ClaimStatus] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        status = store.claim("event-1", later, later + CLAIM_LEASE).status
        with lock:
            results.append(status)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == sorted([ClaimStatus.CLAIMED] + [ClaimStatus.BUSY] * 5), results
