"""The audit trail's function app: the hash chain appended (auditTrail), archived (auditArchive), verified.

Event Grid delivers the critical events (infra/functions.tf) to the queue `audit-audittrail`; auditTrail
appends each to the chain in the AuditTrail table (adapters/table_audit.py: once per event id) and hands
the appended records to the queue `audit-auditarchive`, which only this app feeds; auditArchive writes
each of those messages to the write-once container (adapters/blob_audit.py); verifyAuditTrail walks the
chain against its head and every archived anchor on its schedule (SCHEDULE_VERIFY_AUDIT_TRAIL) and fails
the run on a break. A message that cannot be processed raises: the host retries, then poisons it.
auditTrail's log lines carry the trace context the event came with (azure_apps/tracing.py).
"""

# azure-functions' trigger decorators are untyped; the functions they register are typed here.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import json
import os
from functools import cache
from typing import TYPE_CHECKING

import azure.functions as func

from ..adapters.azure_environment import STORAGE_CONNECTION
from ..observability import add_metric, flush_metrics, get_logger, set_correlation_id
from ..worker_events import MalformedEvent
from ..workers.audit import archived_records, verify_chain
from ..workers.audit_trail import audit_event
from .tracing import invocation_trace, message_traceparent

if TYPE_CHECKING:
    from ..adapters.blob_audit import BlobAuditArchive
    from ..adapters.table_audit import TableAuditLog
    from ..domain.audit import AuditEvent, AuditTrail

# The archive's queue: blocks/function_app names it from the app and the function key (auditArchive).
ARCHIVE_QUEUE = "audit-auditarchive"

app = func.FunctionApp()


@cache
def audit_archive() -> BlobAuditArchive:
    """The write-once archive (AUDIT_ARCHIVE_CONTAINER), built on first use."""
    from ..adapters.azure_environment import connection
    from ..adapters.blob_audit import BlobAuditArchive, container_client
    from ..settings import required_variable

    name = required_variable(os.environ, "AUDIT_ARCHIVE_CONTAINER")
    return BlobAuditArchive(container_client(name, **connection(os.environ, "blobServiceUri")))


@cache
def audit_log() -> TableAuditLog:
    """The chain in its table (AUDIT_TABLE_NAME), built on first use."""
    from ..adapters.azure_environment import table
    from ..adapters.table_audit import TableAuditLog
    from ..settings_audit import AuditSettings

    return TableAuditLog(table(os.environ, AuditSettings.from_env().audit_table_name))


@cache
def audit_trail() -> AuditTrail:
    """The chain, handing the records it appends to the archive's queue."""
    from ..adapters.azure_environment import queue
    from ..adapters.queue_audit import QueueAuditArchive
    from ..domain.audit import AuditTrail
    from ..settings import SystemClock

    return AuditTrail(audit_log(), QueueAuditArchive(queue(os.environ, ARCHIVE_QUEUE)), SystemClock())


def critical_event(body: str | bytes) -> AuditEvent | None:
    """The critical event of a CloudEvent Event Grid delivered, or None; MalformedEvent if it is none."""
    try:
        delivered = json.loads(body)
        name, source, data = delivered["type"], delivered["source"], delivered["data"]
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedEvent("the message is not an Event Grid CloudEvent") from error
    if not isinstance(data, dict) or not isinstance(name, str) or not isinstance(source, str):
        raise MalformedEvent("the event has no detail object")
    carrier_id, sent_at = delivered.get("id"), delivered.get("time")
    return audit_event(
        name,
        source,
        data,
        message_id=carrier_id if isinstance(carrier_id, str) else None,
        sent_at=sent_at if isinstance(sent_at, str) else None,
    )


@app.function_name("auditTrail")
@app.queue_trigger(arg_name="message", queue_name="audit-audittrail", connection=STORAGE_CONNECTION)
def append_audit_trail(message: func.QueueMessage) -> None:
    """Append one critical event (once per event id) and hand its record to the archive's queue."""
    with invocation_trace(message_traceparent(message.get_body())):
        try:
            event = critical_event(message.get_body())
            if event is None:
                get_logger().warning("audit message ignored: not a critical event")
                return
            set_correlation_id(event.correlation_id)
            result = audit_trail().record([event])
            add_metric("AuditRecordsAppended", len(result.appended))
            get_logger().info(
                "audit records appended",
                extra={"appended": len(result.appended), "already_recorded": len(result.already_recorded)},
            )
        except Exception:
            get_logger().exception("audit append failed")
            raise
        finally:
            set_correlation_id(None)
            flush_metrics()


@app.function_name("auditArchive")
@app.queue_trigger(arg_name="message", queue_name=ARCHIVE_QUEUE, connection=STORAGE_CONNECTION)
def archive_audit_trail(message: func.QueueMessage) -> None:
    """Write one message's sealed records to the write-once archive (a redelivery writes nothing new)."""
    try:
        records = archived_records(message.get_body())
        audit_archive().store(records)
        add_metric("AuditRecordsArchived", len(records))
        get_logger().info(
            "audit records archived", extra={"first": records[0].sequence, "last": records[-1].sequence}
        )
    except Exception:
        get_logger().exception("audit archive failed")
        raise
    finally:
        flush_metrics()


@app.function_name("verifyAuditTrail")
@app.timer_trigger(schedule="%SCHEDULE_VERIFY_AUDIT_TRAIL%", arg_name="timer", run_on_startup=False)
def verify_audit_trail(timer: func.TimerRequest) -> None:
    """Walk the chain against its head and the archive's anchors; raise AuditChainBroken on a break."""
    from ..domain.audit import AuditTrail
    from ..settings import SystemClock

    archive = audit_archive()
    try:
        verify_chain(AuditTrail(audit_log(), archive, SystemClock()), archive)
    finally:
        flush_metrics()
