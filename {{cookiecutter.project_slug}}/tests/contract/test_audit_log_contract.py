"""One suite for every AuditLog and AuditArchive: the cloud's adapters must behave like the in-memory ones.

The cloud's stores come from its fixtures (tests/support/real_stores.py); what only one cloud's store does is
tested in that store's own file.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from tests.support.real_stores import store_params

from {{ cookiecutter.package_name }}.adapters.memory import InMemoryAuditArchive, InMemoryAuditLog
from {{ cookiecutter.package_name }}.domain.audit import Anchor, AuditEvent, ChainHead, link, verify
from {{ cookiecutter.package_name }}.ports import AuditArchive, AuditLog

RECORDED_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def event(number: int, name: str = "BetPlaced") -> AuditEvent:
    return AuditEvent(
        event_id=f"event-{number}",
        name=name,
        source="{{ cookiecutter.package_name }}.wallet",
        occurred_at="2030-01-01T12:00:00+00:00",
        correlation_id=f"round-{number}",
        detail={"player_id": "player-1", "transaction_id": f"tx-{number}", "amount": number},
    )


@pytest.fixture(params=store_params("real_audit_log"))
def audit_log(request: pytest.FixtureRequest) -> AuditLog:
    if request.param == "memory":
        return InMemoryAuditLog()
    log: AuditLog = request.getfixturevalue("real_audit_log")
    return log


@pytest.fixture(params=store_params("real_audit_archive"))
def archive(request: pytest.FixtureRequest) -> AuditArchive:
    if request.param == "memory":
        return InMemoryAuditArchive()
    real: AuditArchive = request.getfixturevalue("real_audit_archive")
    return real


def test_an_empty_log_has_the_genesis_head(audit_log: AuditLog) -> None:
    assert audit_log.head() == ChainHead()
    assert list(audit_log.records()) == []
    assert audit_log.record(1) is None


def test_appended_events_are_linked_in_order_after_the_head(audit_log: AuditLog) -> None:
    first = audit_log.append([event(1), event(2)], RECORDED_AT)
    second = audit_log.append([event(3)], RECORDED_AT)

    records = list(audit_log.records())
    assert [record.event_id for record in records] == ["event-1", "event-2", "event-3"]
    assert records == first.appended + second.appended
    assert audit_log.head() == ChainHead(3, records[-1].hash)
    assert verify(records, audit_log.head()) is None


def test_records_read_back_exactly_as_linked(audit_log: AuditLog) -> None:
    expected = link(ChainHead(), [event(1), event(2)], RECORDED_AT)

    audit_log.append([event(1), event(2)], RECORDED_AT)

    assert [audit_log.record(1), audit_log.record(2)] == expected


def test_an_event_already_recorded_is_not_appended_again(audit_log: AuditLog) -> None:
    audit_log.append([event(1), event(2)], RECORDED_AT)

    result = audit_log.append([event(2), event(3)], RECORDED_AT)

    assert result.already_recorded == {"event-2": 2}
    assert [record.event_id for record in result.appended] == ["event-3"]
    assert audit_log.head().sequence == 3


def test_an_event_repeated_within_one_append_is_written_once(audit_log: AuditLog) -> None:
    result = audit_log.append([event(1), event(1), event(2)], RECORDED_AT)

    assert [record.event_id for record in result.appended] == ["event-1", "event-2"]
    assert result.already_recorded == {}


def test_appends_larger_than_one_transaction_stay_one_chain(audit_log: AuditLog) -> None:
    result = audit_log.append([event(number) for number in range(1, 121)], RECORDED_AT)

    assert [record.sequence for record in result.appended] == list(range(1, 121))
    assert verify(audit_log.records(), audit_log.head()) is None


RETRIES_UNDER_CONTENTION = 20


def refusals(request: pytest.FixtureRequest) -> tuple[type[Exception], ...]:
    """What the cloud's log raises when other writers keep moving the head (the memory log never does)."""
    if request.node.callspec.params["audit_log"] == "memory":
        return ()
    errors: tuple[type[Exception], ...] = request.getfixturevalue("real_audit_contention")
    return errors


def test_concurrent_appenders_never_fork_the_chain(
    audit_log: AuditLog, request: pytest.FixtureRequest
) -> None:
    contention = refusals(request)
    writers, events_each = 4, 5
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            for number in range(events_each):
                # An append may be refused while the head keeps moving (the worker's batch is then
                # redelivered by SQS); what must never happen is a fork or a lost or doubled event.
                for _ in range(RETRIES_UNDER_CONTENTION):
                    try:
                        audit_log.append([event(index * 100 + number)], RECORDED_AT)
                        break
                    except contention:
                        continue
        except BaseException as error:  # reported to the test thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    records = list(audit_log.records())
    assert [record.sequence for record in records] == list(range(1, writers * events_each + 1))
    assert len({record.event_id for record in records}) == writers * events_each
    assert verify(records, audit_log.head()) is None


def test_an_archive_starts_without_anchors(archive: AuditArchive) -> None:
    assert list(archive.anchors()) == []


def test_each_archived_batch_leaves_its_last_hash_as_an_anchor(archive: AuditArchive) -> None:
    records = link(ChainHead(), [event(1), event(2), event(3)], RECORDED_AT)

    archive.store(records[:2])
    archive.store(records[2:])
    archive.store(records[1:2])  # archived again, e.g. after a retry

    assert set(archive.anchors()) == {Anchor(2, records[1].hash), Anchor(3, records[2].hash)}
