"""The AWS flavour's local tools: the stack read from what `osls` deploys, run in a local moto server.

- stack.py: the stack's resources and functions, from the packaged template or serverless.yml, and
  their local copy in moto (`python -m tools.aws.stack`);
- dev.py: the moto server, the API behind the local JWT authorizer, and each worker as a local
  process fed the way Lambda's event source mappings feed it (`make dev` and `make demo` start it);
- streams.py: a DynamoDB stream delivered to its function (the wallet's outbox relay);
- bench.py: what `make bench` measures on AWS: cold starts, zips, AWS requests, CPU and latency;
- region.py: where the region is configured (serverless.yml) and the regions with Lambda (tools/residency.py).

The neutral tools (tools/dev.py, tools/demo.py, tools/bench.py, ...) reach these through
tools/local.py's `provider()`: the names below are what they use. Nothing is imported here at the
top, so `python -m tools.aws.<tool>` runs its module once.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.aws.dev import LocalRun
    from tools.bench import Mode

# Where the stack is read from: the packaged template when it is current (auto), or either one.
SOURCES = ("auto", "packaged", "serverless.yml")


def local_run(*, stage: str, source: str = "auto", log: IO[str] | None = None) -> LocalRun:
    """The moto server, the API and the workers for `stage` (started as a context manager)."""
    from tools.aws.dev import LocalRun

    return LocalRun(stage=stage, source=source, log=log)


def measure(mode: Mode, stage: str) -> dict[str, Any]:
    """Every figure of `make bench`, measured against one moto server."""
    from tools.aws.bench import run

    return run(mode, stage)
