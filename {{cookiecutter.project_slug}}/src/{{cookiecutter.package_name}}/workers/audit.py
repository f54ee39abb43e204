"""The audit trail's workers, on every cloud: an event read as a critical event, a batch of records
handed to the archive's queue and read back from it, and the chain's verification.

Each cloud's entry points (handlers/ on AWS, azure_apps/audit.py on Azure) read their queue's message
and call these: the rules of what is recorded, what an archive message holds and when a chain is broken
are the same everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..compliance import AUDITED_EVENTS
from ..domain.audit import AuditEvent, AuditRecord, AuditTrail, Verification, sealed
from ..observability import add_metric, get_logger, valid_correlation_id
from ..settings import PACKAGE
from .events import MalformedEvent

if TYPE_CHECKING:
    from ..ports import AuditArchive

# Keys of a published event's detail that describe the event rather than what happened.
ENVELOPE_KEYS = frozenset({"event_id", "correlation_id", "occurred_at"})


class AuditChainBroken(RuntimeError):
    """The chain does not verify: a record was changed, removed, reordered or rewritten."""


def audit_event(
    name: object,
    source: object,
    detail: object,
    *,
    event_id: object = None,
    time: object = None,
    source_prefix: str = PACKAGE,
) -> AuditEvent | None:
    """The critical event of a published event, or None if it is not one the trail records.

    `event_id` and `time` are the carrier's own (EventBridge's id and time, the CloudEvent's), used where
    the detail has none. MalformedEvent if it is not an event at all.
    """
    if not isinstance(detail, dict) or not isinstance(name, str) or not isinstance(source, str):
        raise MalformedEvent("the event has no detail object")
    if (source.removeprefix(f"{source_prefix}."), name) not in AUDITED_EVENTS:
        return None
    identifier = detail.get("event_id") or event_id
    if not isinstance(identifier, str) or not identifier:
        raise MalformedEvent("the event has no event id")
    return AuditEvent(
        event_id=identifier,
        name=name,
        source=source,
        occurred_at=str(detail.get("occurred_at") or time or ""),
        correlation_id=valid_correlation_id(detail.get("correlation_id")) or identifier,
        detail={key: value for key, value in detail.items() if key not in ENVELOPE_KEYS},
    )


def archive_message_bodies(records: Sequence[AuditRecord], limit: int) -> Iterator[str]:
    """The records as archive messages, `{"records": [...]}`, of at most `limit` bytes each (one record
    always fits), consecutive by sequence."""
    batch: list[str] = []
    size = 0
    for record in records:
        item = json.dumps(record.to_json(), sort_keys=True)
        if batch and size + len(item.encode()) + 2 > limit:
            yield _body(batch)
            batch, size = [], 0
        batch.append(item)
        size += len(item.encode()) + 2
    if batch:
        yield _body(batch)


def _body(items: list[str]) -> str:
    return '{"records": [' + ", ".join(items) + "]}"


def archived_records(body: str | bytes) -> list[AuditRecord]:
    """The audit records of one archive message, ordered by sequence; MalformedEvent if it holds anything
    else (a record that does not match its hash included: the archive never anchors one)."""
    try:
        items = json.loads(body)["records"]
        records = [AuditRecord.from_json(item) for item in items]
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedEvent("the message is not a batch of audit records") from error
    if not records:
        raise MalformedEvent("the message holds no audit record")
    sequences = [item.sequence for item in records]
    if sequences != sorted(set(sequences)):
        raise MalformedEvent("the records are not in sequence order")
    unsealed = [item.sequence for item in records if not sealed(item)]
    if unsealed:
        raise MalformedEvent(f"records {unsealed} do not match their hashes")
    return records


def verify_chain(trail: AuditTrail, archive: AuditArchive) -> dict[str, Any]:
    """Verify the chain against its archive; raise AuditChainBroken (after the metrics are added) if it is
    broken. The run's summary."""
    verification = trail.verify(archive)
    add_metric("AuditRecordsVerified", verification.records)
    add_metric("AuditChainBreaks", 0 if verification.intact else 1)
    summary = _summary(verification)
    if verification.broken is not None:
        get_logger().error("audit chain broken", extra=summary)
        raise AuditChainBroken(
            f"record {verification.broken.sequence}: {verification.broken.reason}; see docs/compliance.md"
        )
    get_logger().info("audit chain verified", extra=summary)
    return summary


def _summary(verification: Verification) -> dict[str, Any]:
    broken = verification.broken
    return {
        "records": verification.records,
        "anchors": verification.anchors,
        "intact": verification.intact,
        "broken_at": None if broken is None else broken.sequence,
        "reason": None if broken is None else broken.reason,
    }
