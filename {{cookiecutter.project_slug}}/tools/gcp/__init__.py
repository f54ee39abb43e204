"""The GCP flavour's local tools: the stack read from infra/, run on the gcloud emulators.

- stack.py: the topics, subscriptions and functions infra/'s Terraform declares (`make dev` reads it);
- emulators.py: the gcloud Firestore and Pub/Sub emulators and the local Cloud Storage server
  (fake-gcs-server; the tests start them too);
- dev.py: the local run of `make dev` and `make demo`: the emulators, every built function through
  functions-framework, the API behind gateway.py (API Gateway's JWT check), the outbox relay's trigger;
- package.py: the functions' source archives (`make package`); bench.py: `make bench` (cold starts,
  archives, Firestore requests); live.py: `make audit-live`; region.py: where the region is set.

The neutral tools (tools/dev.py, tools/demo.py, ...) reach these through tools/local.py's `provider()`:
the names below are what they use. Nothing is imported here at the top, so `python -m tools.gcp.<tool>`
runs its module once.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.bench import Mode
    from tools.gcp.dev import LocalRun

# Where the stack is read from: infra/'s Terraform.
SOURCES = ("infra",)
# The modules whose journey steps this flavour cannot play yet, and why (the run's `left_out`: the demo
# prints each and leaves its steps out). None: the local run serves every store the steps use.
DEMO_LEFT_OUT: dict[str, str] = {}


def local_run(*, stage: str, source: str = "infra", log: IO[str] | None = None) -> LocalRun:
    """The emulators, the functions and the gateway stand-in for `stage` (started as a context manager)."""
    from tools.gcp.dev import LocalRun

    return LocalRun(stage=stage, source=source, log=log)


def measure(mode: Mode, stage: str) -> dict[str, Any]:
    """Every figure of `make bench` on GCP: cold starts, archive sizes, Firestore requests."""
    from tools.gcp.bench import run

    return run(mode, stage)
