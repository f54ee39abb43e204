"""The archive's queue and the auditArchive worker: records handed over once, archived write-once."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.support.tables import load_resources

from {{ cookiecutter.package_name }}.adapters.memory import (
    FixedClock,
    InMemoryAuditArchive,
    InMemoryAuditLog,
)
from {{ cookiecutter.package_name }}.adapters.sqs import (
    SqsAuditArchiveQueue,
    message_bodies,
)
from {{ cookiecutter.package_name }}.domain.audit import (
    AuditEvent,
    AuditRecord,
    AuditTrail,
    ChainHead,
    link,
)
from {{ cookiecutter.package_name }}.handlers import archive_audit_trail

PACKAGE = "{{ cookiecutter.package_name }}"
AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def event(number: int, padding: int = 0) -> AuditEvent:
    return AuditEvent(
        event_id=f"event-{number}",
        name="StackDeployed",
        source=f"{PACKAGE}.deployment",
        occurred_at=AT.isoformat(),
        correlation_id=f"deploy-{number}",
        detail={"commit": f"c{number}", "note": "x" * padding},
    )


def chain(count: int, padding: int = 0) -> list[AuditRecord]:
    return link(ChainHead(), [event(number, padding) for number in range(1, count + 1)], AT)


def message(body: str, number: int = 1) -> dict[str, Any]:
    return {"messageId": f"msg-{number}", "body": body, "attributes": {"ApproximateReceiveCount": "1"}}


def batch(*bodies: str) -> dict[str, Any]:
    return {"Records": [message(body, number) for number, body in enumerate(bodies, start=1)]}


def test_only_the_audit_trail_function_may_send_to_the_archive_queue() -> None:
    """serverless.yml: an explicit deny for every other principal, whatever its own IAM policy allows."""
    [statement] = load_resources()["AuditArchiveQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]

    refused = (statement["Effect"], statement["Principal"], statement["Action"])
    assert refused == ("Deny", "*", "sqs:SendMessage")
    assert statement["Resource"] == {"Fn::GetAtt": ["AuditArchiveQueue", "Arn"]}
    allowed = statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    assert allowed == {"Fn::GetAtt": ["AuditTrailIamRoleLambdaExecution", "Arn"]}


def test_records_fit_one_message_until_they_pass_the_limit() -> None:
    records = chain(30, padding=200)

    one = list(message_bodies(records))
    several = list(message_bodies(records, limit=2_000))

    assert len(one) == 1
    assert len(several) > 1
    assert all(len(body.encode()) <= 2_000 for body in several)
    carried = [AuditRecord.from_json(item) for body in several for item in json.loads(body)["records"]]
    assert carried == records  # every record once, in order


def test_each_message_is_archived_as_one_write_once_object() -> None:
    records = chain(5)
    archive = InMemoryAuditArchive()
    bodies = [*message_bodies(records[:3]), *message_bodies(records[3:])]

    result = archive_audit_trail.process_batch(batch(*bodies), archive)

    assert result == {"batchItemFailures": []}
    stored = [[record.sequence for record in records] for records in archive.objects.values()]
    assert stored == [[1, 2, 3], [4, 5]]


def test_a_redelivered_message_changes_nothing() -> None:
    archive = InMemoryAuditArchive()
    [body] = message_bodies(chain(2))

    archive_audit_trail.process_batch(batch(body), archive)
    archive_audit_trail.process_batch(batch(body), archive)

    assert len(archive.objects) == 1


def forged_body() -> str:
    records = chain(2)
    records[1] = replace(records[1], correlation_id="forged")  # its hash no longer matches
    return json.dumps({"records": [record.to_json() for record in records]})


@pytest.mark.parametrize(
    "bad_body",
    [
        pytest.param("not json", id="not-json"),
        pytest.param(json.dumps({"records": []}), id="no-records"),
        pytest.param(json.dumps({"records": [{"sequence": 1}]}), id="not-a-record"),
        pytest.param(json.dumps({"records": [r.to_json() for r in reversed(chain(2))]}), id="out-of-order"),
        pytest.param(forged_body(), id="record-not-matching-its-hash"),
    ],
)
def test_a_bad_message_fails_alone_and_nothing_of_it_is_archived(bad_body: str) -> None:
    archive = InMemoryAuditArchive()
    [good] = message_bodies(chain(1))

    result = archive_audit_trail.process_batch(batch(good, bad_body), archive)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-2"}]}
    assert [[record.sequence for record in stored] for stored in archive.objects.values()] == [[1]]


@pytest.mark.integration
def test_the_trail_hands_its_records_to_the_queue_and_the_archiver_anchors_them(
    moto_server: Any, sqs_client: Any
) -> None:
    """auditTrail -> SQS (moto) -> auditArchive: what one worker sends, the other archives, unchanged."""
    queue_url = sqs_client.create_queue(QueueName=f"audit-archive-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    log, archive = InMemoryAuditLog(), InMemoryAuditArchive()
    trail = AuditTrail(log, SqsAuditArchiveQueue(queue_url), FixedClock(AT))

    trail.record([event(1), event(2), event(3)])
    trail.record([event(3), event(4)])  # event 3 is handed over again: the archive keeps one copy of it
    messages = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    result = archive_audit_trail.process_batch(
        {"Records": [message(item["Body"], number) for number, item in enumerate(messages, start=1)]}, archive
    )

    assert result == {"batchItemFailures": []}
    assert sorted(anchor.sequence for anchor in archive.anchors()) == [3, 4]
    verification = trail.verify(archive)
    assert (verification.intact, verification.records, verification.anchors) == (True, 4, 2)
