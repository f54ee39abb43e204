"""The Firestore audit log's own requests, on the gcloud Firestore emulator.

The behaviour every log shares is tests/contract/test_audit_log_contract.py (run here on Firestore through
tests/support/fixtures_gcp_audit.py); this file is what only Firestore's log shows: the requests an
append costs, counted, and that a head moved by another writer fails the commit whole.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from tests.contract.test_audit_log_contract import event
from tests.gcp.firestore_requests import Requests
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_audit import (
    AUDIT_EVENTS_PER_COMMIT,
    FirestoreAuditLog,
)

RECORDED_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def log(firestore_client: Any) -> FirestoreAuditLog:
    return FirestoreAuditLog(DATABASE, firestore_client)


def test_an_append_is_two_reads_and_one_commit(log: FirestoreAuditLog) -> None:
    """The events' markers (one BatchGetDocuments), the head, then ONE commit of head, records and markers;
    an append of events all recorded already is the markers' read alone."""
    requests = Requests(log.client)

    first = requests.of(lambda: log.append([event(1), event(2), event(3)], RECORDED_AT))[1]
    second = requests.of(lambda: log.append([event(4)], RECORDED_AT))[1]
    again = requests.of(lambda: log.append([event(1), event(4)], RECORDED_AT))[1]
    beyond_one_commit = [event(number) for number in range(5, 6 + AUDIT_EVENTS_PER_COMMIT)]
    many = requests.of(lambda: log.append(beyond_one_commit, RECORDED_AT))[1]

    assert first == second == ["batch_get_documents", "batch_get_documents", "commit"]
    assert again == ["batch_get_documents"]
    # One more event than a commit holds: two commits, the chain one.
    assert many == ["batch_get_documents", "batch_get_documents", "commit"] * 2
    assert log.head().sequence == 5 + AUDIT_EVENTS_PER_COMMIT


def test_a_head_moved_after_it_was_read_fails_the_commit_and_the_append_links_after_the_new_head(
    log: FirestoreAuditLog, firestore_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loser of a race writes nothing, reads the new head and links after it: no fork, no gap."""
    log.append([event(1)], RECORDED_AT)
    stale = log._head_snapshot()
    reads: list[Any] = []

    def racing() -> Any:
        reads.append(None)
        if len(reads) == 1:
            # Another writer appends between this writer's read of the head and its commit.
            FirestoreAuditLog(DATABASE, firestore_client).append([event(2)], RECORDED_AT)
            return stale
        return FirestoreAuditLog._head_snapshot(log)

    monkeypatch.setattr(log, "_head_snapshot", racing)
    result = log.append([event(3)], RECORDED_AT)

    records = list(log.records())
    assert len(reads) == 2  # the refused commit, then the one after the new head
    assert [record.event_id for record in records] == ["event-1", "event-2", "event-3"]
    assert [record.sequence for record in result.appended] == [3]
    assert records[2].previous_hash == records[1].hash
