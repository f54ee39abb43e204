"""The gcloud Pub/Sub emulator for the tests (tools/gcp/emulators.py starts it, as `make dev` does)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tools.gcp.emulators import PUBSUB, free_port, gcloud_emulator, ready

__all__ = ["free_port", "gcloud_emulator", "pubsub_emulator", "ready"]


@contextmanager
def pubsub_emulator() -> Iterator[str]:
    """Start the emulator on a free port; yield its host:port (PUBSUB_EMULATOR_HOST); stop its group."""
    name, start = PUBSUB
    with gcloud_emulator(name, *start) as address:
        yield address
