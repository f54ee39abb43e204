"""The auditTrail worker and the verifyAuditTrail job: SQS records in, a verified chain out."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from tests.support.audit import create_archive_bucket
from tests.support.bus import eventbridge_body, sqs_event
from tests.support.region import REGION

from {{ cookiecutter.package_name }}.adapters.memory import (
    FixedClock,
    InMemoryAuditArchive,
    InMemoryAuditLog,
)
from {{ cookiecutter.package_name }}.compliance import AUDITED_EVENTS
from {{ cookiecutter.package_name }}.domain.audit import (
    AuditEvent,
    AuditRecord,
    AuditTrail,
    ChainHead,
)
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.handlers import (
    archive_audit_trail,
    audit_trail,
    verify_audit_trail,
)
from {{ cookiecutter.package_name }}.observability import flush_metrics

PACKAGE = "{{ cookiecutter.package_name }}"
AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
# A critical event every project records, whichever modules and jurisdiction it was made with.
DEPLOYED = ("deployment", "StackDeployed")


def critical_event(number: int) -> DomainEvent:
    return DomainEvent(
        name=DEPLOYED[1],
        source=f"{PACKAGE}.{DEPLOYED[0]}",
        detail={"service": "casino", "stage": "dev", "commit": f"c{number}", "deployed_at": str(number)},
        correlation_id=f"deploy-{number}",
        occurred_at=AT,
    )


class BrokenArchive(InMemoryAuditArchive):
    """An archive that is down."""

    def store(self, records: Sequence[AuditRecord]) -> None:
        raise ConnectionError("S3 is unreachable")


@pytest.fixture
def log() -> InMemoryAuditLog:
    return InMemoryAuditLog()


@pytest.fixture
def archive() -> InMemoryAuditArchive:
    return InMemoryAuditArchive()


@pytest.fixture
def trail(log: InMemoryAuditLog, archive: InMemoryAuditArchive) -> AuditTrail:
    return AuditTrail(log, archive, FixedClock(AT))


@pytest.fixture
def emitted_metrics(capsys: pytest.CaptureFixture[str]) -> Callable[[], list[dict[str, Any]]]:
    """Reads the embedded-metric-format lines written since the test started."""
    flush_metrics()  # metrics other tests left pending in this process
    capsys.readouterr()

    def read() -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
        return [line for line in lines if "_aws" in line]

    return read


def value(metrics: dict[str, Any], name: str) -> float:
    """A metric's value in an EMF line (Powertools writes a list of the values added)."""
    values = metrics[name]
    return float(sum(values)) if isinstance(values, list) else float(values)


def test_every_critical_event_of_the_jurisdiction_includes_deployments() -> None:
    assert DEPLOYED in AUDITED_EVENTS


def test_critical_events_are_appended_and_archived(
    trail: AuditTrail, log: InMemoryAuditLog, archive: InMemoryAuditArchive
) -> None:
    bodies = [eventbridge_body(critical_event(number)) for number in (1, 2, 3)]

    assert audit_trail.process_batch(sqs_event(*bodies), trail) == {"batchItemFailures": []}

    records = list(log.records())
    assert [record.detail["commit"] for record in records] == ["c1", "c2", "c3"]
    assert records[0].correlation_id == "deploy-1"
    assert records[0].source == f"{PACKAGE}.deployment"
    assert "event_id" not in records[0].detail
    assert len(archive.objects) == 1
    assert trail.verify(archive).intact


def test_a_duplicate_delivery_adds_one_record(trail: AuditTrail, log: InMemoryAuditLog) -> None:
    body = eventbridge_body(critical_event(1))

    first = audit_trail.process_batch(sqs_event(body, body), trail)
    redelivered = audit_trail.process_batch(sqs_event(body), trail)

    assert first == redelivered == {"batchItemFailures": []}
    assert log.head() == ChainHead(1, log.chain[0].hash)


@pytest.mark.parametrize(
    "bad_body",
    [
        pytest.param("not json at all", id="not-json"),
        pytest.param(json.dumps({"detail-type": "StackDeployed"}), id="no-source-or-detail"),
        pytest.param(
            json.dumps({"detail-type": "StackDeployed", "source": f"{PACKAGE}.deployment", "detail": "x"}),
            id="detail-not-object",
        ),
        pytest.param(
            json.dumps({"detail-type": "StackDeployed", "source": f"{PACKAGE}.deployment", "detail": {}}),
            id="no-event-id",
        ),
    ],
)
def test_a_poison_message_fails_alone(trail: AuditTrail, log: InMemoryAuditLog, bad_body: str) -> None:
    good = [eventbridge_body(critical_event(number)) for number in (1, 2)]

    result = audit_trail.process_batch(sqs_event(good[0], bad_body, good[1]), trail)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-2"}]}
    assert log.head().sequence == 2


def test_events_that_are_not_critical_are_acknowledged_and_not_recorded(
    trail: AuditTrail, log: InMemoryAuditLog
) -> None:
    heartbeat = DomainEvent("SessionHeartbeat", f"{PACKAGE}.sessions", {"session_id": "s"}, "c", AT)

    result = audit_trail.process_batch(sqs_event(eventbridge_body(heartbeat)), trail)

    assert result == {"batchItemFailures": []}
    assert log.head() == ChainHead()


def test_when_the_archive_fails_the_whole_batch_is_retried_and_the_retry_archives_it(
    log: InMemoryAuditLog, archive: InMemoryAuditArchive
) -> None:
    bodies = [eventbridge_body(critical_event(number)) for number in (1, 2)]

    failed = audit_trail.process_batch(sqs_event(*bodies), AuditTrail(log, BrokenArchive(), FixedClock(AT)))
    retried = audit_trail.process_batch(sqs_event(*bodies), AuditTrail(log, archive, FixedClock(AT)))

    assert failed == {"batchItemFailures": [{"itemIdentifier": "msg-1"}, {"itemIdentifier": "msg-2"}]}
    assert retried == {"batchItemFailures": []}
    assert log.head().sequence == 2
    assert [records[-1].sequence for records in archive.objects.values()] == [2]


def test_the_entry_point_counts_appends_failures_and_dead_letters(
    monkeypatch: pytest.MonkeyPatch, trail: AuditTrail, emitted_metrics: Callable[[], list[dict[str, Any]]]
) -> None:
    monkeypatch.setattr(audit_trail, "_trail", trail)
    event = sqs_event(eventbridge_body(critical_event(1)), "poison", receive_count=3)

    result = audit_trail.handler(event, SimpleNamespace(aws_request_id="lambda-1"))

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-2"}]}
    (metrics,) = emitted_metrics()
    names = ("AuditRecordsAppended", "RecordsFailed", "DeadLetterDeliveries")
    assert [value(metrics, name) for name in names] == [1, 1, 1]
    assert metrics["service"] == PACKAGE


def test_verification_of_an_intact_chain_reports_zero_breaks(
    monkeypatch: pytest.MonkeyPatch,
    trail: AuditTrail,
    archive: InMemoryAuditArchive,
    emitted_metrics: Callable[[], list[dict[str, Any]]],
) -> None:
    trail.record([AuditEvent.from_domain_event(critical_event(number)) for number in (1, 2)])
    monkeypatch.setattr(verify_audit_trail, "_checked", (trail, archive))

    summary = verify_audit_trail.handler({}, SimpleNamespace(aws_request_id="lambda-2"))

    assert summary == {"records": 2, "anchors": 1, "intact": True, "broken_at": None, "reason": None}
    (metrics,) = emitted_metrics()
    assert (value(metrics, "AuditChainBreaks"), value(metrics, "AuditRecordsVerified")) == (0, 2)


def test_a_broken_chain_fails_the_job_and_publishes_the_break(
    monkeypatch: pytest.MonkeyPatch,
    trail: AuditTrail,
    log: InMemoryAuditLog,
    archive: InMemoryAuditArchive,
    emitted_metrics: Callable[[], list[dict[str, Any]]],
) -> None:
    trail.record([AuditEvent.from_domain_event(critical_event(number)) for number in (1, 2, 3)])
    log.chain[1] = replace(log.chain[1], correlation_id="forged")
    monkeypatch.setattr(verify_audit_trail, "_checked", (trail, archive))

    with pytest.raises(verify_audit_trail.AuditChainBroken, match="record 2"):
        verify_audit_trail.handler({}, SimpleNamespace(aws_request_id="lambda-2"))

    (metrics,) = emitted_metrics()
    assert value(metrics, "AuditChainBreaks") == 1


# What each handler builds on its first invocation and keeps while the container lives.
BUILT_ONCE = ((audit_trail, "_trail"), (archive_audit_trail, "_archive"), (verify_audit_trail, "_checked"))


@pytest.fixture
def aws_audit(
    monkeypatch: pytest.MonkeyPatch, aws_tables: dict[str, str], moto_server: Any, sqs_client: Any
) -> Iterator[dict[str, Any]]:
    """The two workers and the job wired to the moto server, as on AWS (AUDIT_* variables)."""
    s3 = boto3.client("s3")
    bucket = create_archive_bucket(s3, REGION)
    queue_url = sqs_client.create_queue(QueueName=f"audit-archive-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    monkeypatch.setenv("AUDIT_TABLE_NAME", aws_tables["AuditTable"])
    monkeypatch.setenv("AUDIT_ARCHIVE_BUCKET", bucket)
    monkeypatch.setenv("AUDIT_ARCHIVE_QUEUE_URL", queue_url)
    for module, name in BUILT_ONCE:
        monkeypatch.setattr(module, name, None)
    yield {"table": aws_tables["AuditTable"], "bucket": bucket, "s3": s3, "queue_url": queue_url}
    for module, name in BUILT_ONCE:
        monkeypatch.setattr(module, name, None)


def deliver_archive_queue(sqs_client: Any, queue_url: str) -> dict[str, Any]:
    """What the event source mapping hands the auditArchive worker: the queue's messages, as SQS records."""
    messages = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "body": message["Body"],
                "attributes": {"ApproximateReceiveCount": "1"},
            }
            for message in messages
        ]
    }


@pytest.mark.integration
def test_on_aws_the_worker_chains_into_dynamodb_and_the_archiver_writes_s3(
    aws_audit: dict[str, Any], dynamodb_client: Any, sqs_client: Any
) -> None:
    context = SimpleNamespace(aws_request_id="lambda-3")
    bodies = [eventbridge_body(critical_event(number)) for number in range(1, 6)]

    assert audit_trail.handler(sqs_event(*bodies[:3]), context) == {"batchItemFailures": []}
    assert audit_trail.handler(sqs_event(*bodies[2:]), context) == {"batchItemFailures": []}
    # Appended, not archived yet: the links and the head vouch for the records until the archive has them.
    assert verify_audit_trail.handler({}, context)["anchors"] == 0
    queued = deliver_archive_queue(sqs_client, aws_audit["queue_url"])
    assert len(queued["Records"]) == 2
    assert archive_audit_trail.handler(queued, context) == {"batchItemFailures": []}

    assert verify_audit_trail.handler({}, context) == {
        "records": 5,
        "anchors": 2,
        "intact": True,
        "broken_at": None,
        "reason": None,
    }
    keys = [item["Key"] for item in aws_audit["s3"].list_objects_v2(Bucket=aws_audit["bucket"])["Contents"]]
    assert [key.split("-")[:2] for key in keys] == [
        ["chain/00000000000000000001", "00000000000000000003"],
        ["chain/00000000000000000003", "00000000000000000005"],
    ]

    # Someone with write access to the table edits record 4.
    dynamodb_client.update_item(
        TableName=aws_audit["table"],
        Key={"pk": {"S": "CHAIN"}, "sk": {"S": "RECORD#00000000000000000004"}},
        UpdateExpression="SET correlation_id = :forged",
        ExpressionAttributeValues={":forged": {"S": "forged"}},
    )
    with pytest.raises(verify_audit_trail.AuditChainBroken, match="record 4"):
        verify_audit_trail.handler({}, context)
