"""The verifyAuditTrail function: walks the audit trail's hash chain daily; a break fails the run.

Cloud Scheduler calls it (infra/functions.tf). Every record is checked against the one before it and its
own content, the chain against its head, and the chain against every anchor of the write-once archive
(adapters/cloud_storage.py). Read only: the database's viewer and the archive's object viewer. A broken
chain answers 500 (AuditChainBroken, logged as an error with the record and the reason): the run fails,
and Cloud Scheduler retries it, finding the same break. The verification is the same on every cloud
(workers/audit.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..gcp_scheduled import answer
from ..workers.audit import verify_chain

if TYPE_CHECKING:
    from flask import Request

    from ..domain.audit import AuditTrail
    from ..gcp_scheduled import ScheduledCall
    from ..ports import AuditArchive

_checked: tuple[AuditTrail, AuditArchive] | None = None


def verify_audit_trail(request: Request) -> tuple[dict[str, Any], int]:
    """The verifyAuditTrail function (functions-framework, signature type http): one scheduled call."""
    from ..settings import SystemClock

    def step(call: ScheduledCall) -> dict[str, Any]:
        return verify_chain(*gcp_trail_and_archive())

    return answer("audit chain verification", request.headers, SystemClock(), step)


def gcp_trail_and_archive() -> tuple[AuditTrail, AuditArchive]:
    """The chain on Firestore and its write-once archive in Cloud Storage (read only: nothing appended)."""
    global _checked  # one set of clients per instance
    if _checked is None:
        from ..adapters.cloud_storage import CloudStorageAuditArchive, CloudStorageBucket
        from ..adapters.firestore_audit import FirestoreAuditLog
        from ..adapters.gcp_clients import database, firestore_client
        from ..domain.audit import AuditTrail
        from ..settings import SystemClock
        from ..settings_audit import AuditArchiveSettings

        archive = CloudStorageAuditArchive(
            CloudStorageBucket(AuditArchiveSettings.from_env().audit_archive_bucket)
        )
        _checked = (
            AuditTrail(FirestoreAuditLog(database(), firestore_client()), archive, SystemClock()),
            archive,
        )
    return _checked
