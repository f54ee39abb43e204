from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.bench import Mode


def measure(mode: Mode, stage: str) -> dict[str, Any]:
    """Every figure of `make bench` on GCP: cold starts, archive sizes, Firestore requests."""
    from tools.gcp.bench import run

    return run(mode, stage)
