"""The audit trail's workers, on every cloud: a batch of records handed to the archive's queue and read
back from it, and the chain's verification (an event read as a critical event: workers/audit_trail.py).

Each cloud's entry points (handlers/ on AWS, azure_apps/audit.py on Azure) read their queue's message
and call these: the rules of what is recorded, what an archive message holds and when a chain is broken
are the same everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..domain.audit import AuditRecord, AuditTrail, Verification, sealed
from ..observability import add_metric, get_logger
from ..worker_events import MalformedEvent

if TYPE_CHECKING:
    from ..ports import AuditArchive


class AuditChainBroken(RuntimeError):
    """The chain does not verify: a record was changed, removed, reordered or rewritten."""


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
