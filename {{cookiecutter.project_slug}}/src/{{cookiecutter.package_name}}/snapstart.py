"""Lambda SnapStart: what the API does before its snapshot and redoes after each resume.

With SnapStart (the stage's `apiSnapStart` param, docs/snapstart.md), Lambda runs the API's init once,
when a version is published, snapshots the initialized runtime, and resumes every new instance from
that one snapshot: whatever init made is shared by all of them. The API's init imports modules and
builds the Flask app; its AWS clients (with their credentials and connections), services and caches
are built on the first request (api/context.py, LazyServices), after the resume, and request and
session ids are drawn per call from the operating system (uuid4). What init does leave behind that
must differ per instance is the `random` module's state, seeded once at import: it times the retries
of conflicting transactions (adapters/dynamodb.py), and instances resumed from one snapshot would
otherwise retry in step. It is reseeded after each resume.

Lambda's Python runtime provides `snapshot_restore_py`; elsewhere (tests, local runs) nothing is
snapshotted and no hook is registered. Without SnapStart the hooks are registered and never run.
"""

from __future__ import annotations

import random


def import_before_snapshot() -> None:
    """Import what the first request would: code only; no client, credentials or connection is made."""
    import boto3  # noqa: F401 - imported for the snapshot to hold it


def reseed_after_restore() -> None:
    """Give this instance its own `random` state, from the operating system, not the snapshot's."""
    random.seed()


def register_hooks() -> bool:
    """Register the hooks with Lambda's runtime; False where there is no runtime to register with."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:  # not on Lambda's Python runtime: nothing is snapshotted here
        return False
    register_before_snapshot(import_before_snapshot)
    register_after_restore(reseed_after_restore)
    return True


register_hooks()
