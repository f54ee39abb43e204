"""One suite for every AuditLog and AuditArchive: the AWS adapters must behave like the in-memory ones."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from tests.support.audit import archive_lock_rule, create_archive_bucket
from tests.support.region import REGION

from {{ cookiecutter.package_name }}.adapters.dynamodb_audit import (
    AuditAppendContention,
    DynamoAuditLog,
)
from {{ cookiecutter.package_name }}.adapters.memory import InMemoryAuditArchive, InMemoryAuditLog
from {{ cookiecutter.package_name }}.adapters.s3 import S3AuditArchive
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


@pytest.fixture(params=["memory", pytest.param("dynamodb", marks=pytest.mark.integration)])
def audit_log(request: pytest.FixtureRequest) -> AuditLog:
    if request.param == "memory":
        return InMemoryAuditLog()
    tables = request.getfixturevalue("aws_tables")
    return DynamoAuditLog(tables["AuditTable"])


@pytest.fixture(scope="module")
def s3_client(moto_server: Any) -> Any:
    return boto3.client("s3")


@pytest.fixture(params=["memory", pytest.param("s3", marks=pytest.mark.integration)])
def archive(request: pytest.FixtureRequest) -> Iterator[AuditArchive]:
    if request.param == "memory":
        yield InMemoryAuditArchive()
        return
    client = request.getfixturevalue("s3_client")
    yield S3AuditArchive(create_archive_bucket(client, REGION), client)


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


def test_concurrent_appenders_never_fork_the_chain(audit_log: AuditLog) -> None:
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
                    except AuditAppendContention:
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


@pytest.mark.integration
def test_archived_objects_are_locked_in_compliance_mode_and_cannot_be_deleted(s3_client: Any) -> None:
    bucket = create_archive_bucket(s3_client, REGION)
    archive = S3AuditArchive(bucket, s3_client)
    records = link(ChainHead(), [event(1), event(2)], RECORDED_AT)

    archive.store(records)

    (listed,) = s3_client.list_object_versions(Bucket=bucket)["Versions"]
    locked = s3_client.head_object(Bucket=bucket, Key=listed["Key"], VersionId=listed["VersionId"])
    rule = archive_lock_rule()
    assert locked["ObjectLockMode"] == rule["Mode"] == "COMPLIANCE"
    retained = locked["ObjectLockRetainUntilDate"] - datetime.now(UTC)
    assert retained > timedelta(days=365 * rule["Years"] - 2)
    with pytest.raises(s3_client.exceptions.ClientError, match="AccessDenied"):
        s3_client.delete_object(Bucket=bucket, Key=listed["Key"], VersionId=listed["VersionId"])
    assert archive.records(listed["Key"]) == records
