"""Lambda SnapStart: what the API does before its snapshot and redoes after each resume.

With SnapStart (the stage's `apiSnapStart` param, docs/snapstart.md), Lambda runs the API's init once,
when a version is published, snapshots the initialized runtime, and resumes every new instance from
that one snapshot: whatever init made is shared by all of them. The API's init imports modules and
builds the Flask app; its AWS clients (with their credentials and connections), services and caches
are built on the first request (api/context.py, LazyServices), after the resume, and request and
session ids are drawn per call from the operating system (uuid4). What init does leave behind that
must differ per instance is the `random` module's state, seeded once at import: it times the retries
of conflicting transactions (adapters/dynamodb.py), and instances resumed from one snapshot would
otherwise retry in step. It is reseeded after each resume. Without SnapStart, a module's domain and
request schemas load on the first request to its routes (docs/benchmarks.md); before a snapshot they
are imported, so that restored instances do not load them.

Lambda's Python runtime provides `snapshot_restore_py`; elsewhere (tests, local runs) nothing is
snapshotted and no hook is registered. Without SnapStart the hooks are registered and never run.
"""

from __future__ import annotations

import random
from importlib import import_module
from importlib.util import find_spec

from .registry import MODULES


def import_before_snapshot() -> None:
    """Import what the first request would: code only; no client, credentials or connection is made."""
    import boto3  # noqa: F401 - imported for the snapshot to hold it

    for module in first_request_imports():
        import_module(module)


def first_request_imports() -> list[str]:
    """What the first request to a module's routes imports: its domain, what only its API reads of it
    (domain/<module>_reads.py, where a worker of the module does not need it), and its request schemas."""
    parts = ("domain.{}", "domain.{}_reads", "api.schemas_{}")
    names = [f"{__package__}." + part.format(name) for name in MODULES for part in parts]
    return [name for name in names if find_spec(name) is not None]


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
