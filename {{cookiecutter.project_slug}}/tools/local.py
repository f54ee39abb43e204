"""A local run of the project, whatever its cloud: what `make dev`, `make demo`, the load and the bench drive.

The provider's own local tools live in tools/<provider>/ (tools/aws/: a moto server with the stack's
resources, the API and the workers as local processes, the bench's AWS measurements). The tools that
drive a run (tools/dev.py, tools/demo.py, tools/journey.py, tools/load.py, tools/bench.py) reach the
provider's through `provider()` and the two protocols below, so a flavour for another cloud adds its
folder and leaves them as they are.
"""

from __future__ import annotations

import subprocess
import sys
from argparse import ArgumentParser
from collections.abc import Iterable, Mapping
from importlib import import_module
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Protocol, Self, cast

if TYPE_CHECKING:
    from tools.bench import Mode
    from tools.local_auth import LocalIssuer

# The cloud this project deploys to: its local tools are the package tools/<PROVIDER>/.
PROVIDER = "{{ cookiecutter.cloud_provider }}"


class LocalRunError(RuntimeError):
    """A local server did not start or stopped unexpectedly."""


class LocalSetupError(RuntimeError):
    """The local run cannot be set up from the project's definitions; the message says what to change."""


def stop_process(process: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """Stop a local server by its PID: terminate it, kill it if it does not exit in time, close its stdin."""
    if process is None:
        return
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdin is not None:
        process.stdin.close()


class Child:
    """A local server process, `python -m <module> <args>` (the provider's dev module sets `module`): its own
    session (Ctrl-C reaches only the parent), its stdin closed when this process goes (the child then
    exits too), stopped by its PID."""

    module = ""
    stop_timeout_seconds = 5.0

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: IO[str] | None) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, pass_fds: tuple[int, ...] = ()) -> Self:
        from tools.project import PROJECT_ROOT

        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", self.module, *self.args],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=self.log,
            stderr=subprocess.STDOUT if self.log is not None else None,
            pass_fds=pass_fds,
            start_new_session=True,
        )
        return self

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self) -> None:
        """Terminate the child by PID, and kill it if it does not exit in time."""
        stop_process(self.process, self.stop_timeout_seconds)


class LocalRun(Protocol):
    """Everything a local run started (the cloud's stand-in, the API, the workers), stopped on exit."""

    api_url: str
    # The local JWT issuer the API's gateway trusts (tools/local_auth.py); None until the API started.
    issuer: LocalIssuer | None

    @property
    def left_out(self) -> Mapping[str, str]:
        """Modules this run cannot play yet (their cloud code is not built), each with why: the
        journey leaves their steps out and the demo says so."""
        ...

    def __enter__(self) -> LocalRun: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...

    @property
    def source_label(self) -> str:
        """Where the stack's definition was read from, for the reader."""
        ...

    @property
    def route_scopes(self) -> tuple[str, ...]:
        """Every scope a route's JWT authorizer asks for (a server caller's token carries them)."""
        ...

    @property
    def worker_names(self) -> tuple[str, ...]:
        """The functions that handle the bus's events, as local processes."""
        ...

    def worker_environment(self, name: str) -> Mapping[str, str]:
        """The environment the run gives the worker function `name` (its local stand-ins' addresses too)."""
        ...

    @property
    def secrets(self) -> Mapping[str, str]:
        """Secrets the functions read (random for the run, by name): the server callers sign with them."""
        ...

    @property
    def secret_kind(self) -> str:
        """What the cloud calls such a secret, for the reader ("SSM SecureString")."""
        ...

    def worker_feeds(self) -> list[str]:
        """Each worker and what feeds it, for the reader ("sessionActivity <- SessionActivityQueue")."""
        ...

    def token(self, subject: str, scopes: Iterable[str] = (), client_id: str | None = None) -> str:
        """A token from the local issuer's HTTP route, as a client would get it."""
        ...

    def api_environment(self) -> dict[str, str]:
        """The API function's own environment variables in this run."""
        ...

    def client(self, service_name: str) -> Any:
        """A client of one of the local cloud's services (the provider's SDK, pointed at the stand-in)."""
        ...

    def unfinished_messages(self) -> dict[str, int]:
        """Per worker queue, events waiting or being handled; per dead-letter queue, events in it; and
        whatever else the provider's run counts as an event still on its way (an unread stream)."""
        ...

    def dead_letter_queues(self) -> set[str]:
        """The names unfinished_messages gives the dead-letter queues."""
        ...

    def check_running(self) -> None:
        """Raise LocalRunError if a server this run started has exited."""
        ...

    def process_ids(self) -> dict[str, int]:
        """Each local server's name and PID (the load tool watches their memory)."""
        ...

    def summary(self) -> str:
        """One line: the cloud's stand-in and what it holds."""
        ...

    def describe(self) -> list[str]:
        """What is running where, a line each (the `make dev` banner's first lines)."""
        ...


class Provider(Protocol):
    """What the package tools/<provider>/ offers the neutral tools."""

    # Where the stack's definition may be read from; the first is the default.
    SOURCES: tuple[str, ...]

    def local_run(self, *, stage: str, source: str = ..., log: IO[str] | None = ...) -> LocalRun:
        """A local run (not started: use it as a context manager)."""
        ...

    def measure(self, mode: Mode, stage: str) -> dict[str, Any]:
        """Every figure of `make bench` (tools/bench.py reports them)."""
        ...


def provider(needs: str = "local_run") -> Provider:
    """The local tools of this project's cloud; stops with the reason when its flavour has not `needs`
    yet (`make bench` needs only `measure`)."""
    cloud = import_module(f"tools.{PROVIDER}")
    if not hasattr(cloud, needs):
        what = "the local run" if needs == "local_run" else needs
        raise SystemExit(
            f"{what} is not built in the {PROVIDER} flavour: infra/README.md says what is built."
        )
    return cast(Provider, cloud)


def provider_part(module: str) -> Any:
    """A module's steps on this project's cloud (tools/<provider>/steps_<module>.py): what a journey or
    bench step needs of the cloud's own stores and workers, so tools/modules/ name no cloud."""
    return import_module(f"tools.{PROVIDER}.steps_{module}")


def run_arguments(parser: ArgumentParser) -> Provider:
    """Add the options of a local run (--stage, --source) to `parser`; the provider that runs it."""
    cloud = provider()
    parser.add_argument(
        "--stage", default="dev", help="whose parameters the stack's definition resolves (default dev)"
    )
    parser.add_argument("--source", choices=cloud.SOURCES, default=cloud.SOURCES[0])
    return cloud
