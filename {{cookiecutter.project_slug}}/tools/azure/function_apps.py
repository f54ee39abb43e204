"""The function apps as infra/ declares them, and as the code registers them (the v2 model's index).

infra/ declares each app with `app = "<name>"` and its `functions` map (infra/functions.tf for the API
and the audit trail, infra/modules/<module>/main.tf for a module's app): each function's key (its name
in Azure), entry point, trigger, and a timer's NCRONTAB schedule. blocks/function_app names a queue
function's queue `<app>-<key in lower case>` and a timer's schedule setting `SCHEDULE_<ENTRY POINT>`.
The code of app `<name>` is src/<package>/azure_apps/<name>.py, whose `app` (a FunctionApp) lists its
functions with `get_functions()`, names, triggers and bindings, as the Functions host indexes them.
"""

from __future__ import annotations

import importlib
import inspect
import re
import secrets
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.project import PROJECT_ROOT, SRC_DIR

PACKAGE = "{{ cookiecutter.package_name }}"
INFRA = PROJECT_ROOT / "infra"
APPS_DIR = SRC_DIR / PACKAGE / "azure_apps"
# The Functions host's connection for the casino's storage (adapters/azure_environment.py).
STORAGE_CONNECTION = "CasinoStorage"
# The modules of azure_apps/ that are no app of their own: what the apps share (queue handling, trace
# context), and the scheduled jobs' functions of the wallet's ledger (their app: jobs.py).
SHARED_MODULES = frozenset({"__init__", "queues", "tracing", "jobs_wallet"})

_APP = re.compile(r'^\s*app\s*=\s*"(?P<app>[a-z0-9-]+)"')
_FUNCTION = re.compile(
    r'^\s*(?P<key>\w+)\s*=\s*\{\s*entry_point\s*=\s*"(?P<entry>\w+)"\s*,\s*trigger\s*=\s*"(?P<trigger>\w+)"'
    r'(?:.*schedule\s*=\s*"(?P<schedule>[^"]+)")?'
)


@dataclass(frozen=True)
class Declared:
    """One function as infra/ declares it, with what blocks/function_app derives from it."""

    app: str
    key: str
    entry_point: str
    trigger: str
    schedule: str | None = None

    @property
    def queue(self) -> str | None:
        """The queue a queue function reads (`<app>-<key in lower case>`)."""
        return f"{self.app}-{self.key.lower()}" if self.trigger == "queue" else None

    @property
    def schedule_setting(self) -> str | None:
        """The app setting a timer function reads its schedule from."""
        return f"SCHEDULE_{self.entry_point.upper()}" if self.trigger == "timer" else None


@dataclass(frozen=True)
class Registered:
    """One function as the app's index lists it: its trigger's binding."""

    name: str
    trigger: str
    binding: dict[str, Any]
    # The user's function, as the host calls it.
    call: Callable[..., Any] = field(compare=False)

    def run(self, *bindings: Any, traceparent: str | None = None) -> Any:
        """Call the function as the host does, with its `context` if it takes one: the invocation's trace
        context is `traceparent`, else a new trace (as the host starts one for a timer's run)."""
        if "context" not in inspect.signature(self.call).parameters:
            return self.call(*bindings)
        trace = traceparent or f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
        return self.call(*bindings, context=HostContext(secrets.token_hex(16), HostTraceContext(trace)))


@dataclass(frozen=True)
class HostTraceContext:
    """The trace context the host hands a function (azure.functions.TraceContext's fields)."""

    trace_parent: str
    trace_state: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HostContext:
    """What the host passes as a function's `context`: the invocation's id and trace context."""

    invocation_id: str
    trace_context: HostTraceContext


def declared(infra: Path = INFRA) -> dict[str, dict[str, Declared]]:
    """Each app of infra/ and its functions by key."""
    apps: dict[str, dict[str, Declared]] = {}
    for module in [*sorted(infra.glob("*.tf")), *sorted(infra.glob("modules/*/main.tf"))]:
        app = None
        for line in module.read_text(encoding="utf-8").splitlines():
            named = _APP.match(line)
            if named:
                app = named["app"]
                continue
            function = _FUNCTION.match(line)
            if function and app is not None:
                apps.setdefault(app, {})[function["key"]] = Declared(
                    app, function["key"], function["entry"], function["trigger"], function["schedule"]
                )
    return apps


def app_module(app: str) -> str:
    """The module of the package holding app `app`'s code."""
    return f"{PACKAGE}.azure_apps.{app.replace('-', '_')}"


def built_apps(apps_dir: Path = APPS_DIR) -> set[str]:
    """The apps whose code the package has (azure_apps/<app>.py)."""
    return {path.stem for path in apps_dir.glob("*.py") if path.stem not in SHARED_MODULES}


def registered(app: str) -> dict[str, Registered]:
    """The functions app `app` registers (imported: its module builds nothing that connects)."""
    function_app = importlib.import_module(app_module(app)).app
    return index_of(function_app)


# A FunctionApp builds its index once: get_functions() refuses a second call (duplicate names).
_INDEXES: weakref.WeakKeyDictionary[Any, dict[str, Registered]] = weakref.WeakKeyDictionary()


def index_of(function_app: Any) -> dict[str, Registered]:
    """A FunctionApp's functions by name, each with its trigger's binding (read once per app)."""
    if function_app not in _INDEXES:
        found = {}
        for function in function_app.get_functions():
            binding = function.get_trigger().get_dict_repr()
            found[function.get_function_name()] = Registered(
                function.get_function_name(),
                str(binding["type"]),
                dict(binding),
                function.get_user_function(),
            )
        _INDEXES[function_app] = found
    return _INDEXES[function_app]
