"""The Azure flavour's local tools: the function apps and storage as infra/ declares them, on Azurite.

- dev.py: Azurite with infra/'s tables, queues and containers, the API behind a local App Service
  Authentication (app_service_auth.py), each function app's functions hosted from its index
  (queue_host.py), the Event Grid stand-in (event_grid.py) (`make dev` and `make demo` start it);
- storage.py, function_apps.py: what infra/ declares (storage, settings, apps and their functions);
- package.py: `make package`; region.py: where the region is configured.

The neutral tools (tools/dev.py, tools/demo.py, ...) reach these through tools/local.py's
`provider()`: the names below are what they use. Nothing is imported here at the top, so
`python -m tools.azure.<tool>` runs its module once.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from tools.azure.dev import LocalRun

# Where the local run reads the project's definition: the Terraform of infra/.
SOURCES = ("infra",)


def local_run(*, stage: str, source: str = "infra", log: IO[str] | None = None) -> LocalRun:
    """Azurite, the API and the function apps for `stage` (started as a context manager)."""
    from tools.azure.dev import LocalRun

    return LocalRun(stage=stage, source=source, log=log)
