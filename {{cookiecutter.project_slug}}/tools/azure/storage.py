"""What infra/ declares in the casino's storage account, and the settings it gives each function app.

Read from the Terraform itself, as tools/azure/function_apps.py and tools/azure/event_grid.py read the
apps' `functions` maps, so the local run (tools/azure/dev.py) holds what a deployment would, no list
kept by hand beside it:
- tables, containers and named queues: `resource "azurerm_storage_table|container|queue" "<id>"` with
  a literal `name` (blocks/function_app's per-app containers and queues are derived from the apps);
- app settings: `local.platform`'s `app_settings` (infra/events.tf: every app), an app's own
  `app_settings = { ... }` (infra/functions.tf, infra/modules/<module>/main.tf) and a module's
  `output "api_settings"` (the API's, merged by infra/modules.tf). A value is a literal, `var.stage`,
  or a storage resource's `.name`; any other reference (the topic's endpoint, the vault's URI) is a
  cloud address the run replaces with its own stand-in's (`cloud_values`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tools.local import LocalSetupError
from tools.project import PROJECT_ROOT

INFRA = PROJECT_ROOT / "infra"
# Settings of every app (local.platform.app_settings), under this key.
EVERY_APP = "*"

_RESOURCE = re.compile(r'^resource\s+"azurerm_storage_(?P<kind>table|container|queue)"\s+"(?P<id>\w+)"')
_NAME = re.compile(r'^\s*name\s*=\s*"(?P<name>[^"$]+)"\s*$')
_APP = re.compile(r'^\s*app\s*=\s*"(?P<app>[a-z0-9-]+)"')
_SETTINGS_OPEN = re.compile(r"^\s*(?P<what>app_settings|value)\s*=\s*\{\s*$")
_SETTING = re.compile(r"^\s*(?P<key>[A-Z][A-Z0-9_]*)\s*=\s*(?P<value>\S.*?)\s*$")
_STORAGE_REFERENCE = re.compile(r"^azurerm_storage_(?P<kind>table|container|queue)\.(?P<id>\w+)\.name$")


@dataclass
class Storage:
    """The storage infra/ declares, and each app's settings (by app name; EVERY_APP for all of them)."""

    tables: set[str] = field(default_factory=set)
    containers: set[str] = field(default_factory=set)
    queues: set[str] = field(default_factory=set)
    settings: dict[str, dict[str, str]] = field(default_factory=dict)

    def app_settings(self, app: str) -> dict[str, str]:
        """The settings app `app` gets: every app's, then its own (the block's merge order)."""
        return {**self.settings.get(EVERY_APP, {}), **self.settings.get(app, {})}


def read(stage: str, cloud_values: Mapping[str, str], infra: Path = INFRA) -> Storage:
    """The storage and settings of infra/ for `stage`; `cloud_values` gives each cloud-only setting's
    local value by name. LocalSetupError names a setting whose value cannot be read."""
    storage = Storage()
    # A Terraform module's files share one namespace: the root's *.tf, each modules/<module>/main.tf.
    for files in [sorted(infra.glob("*.tf")), *([path] for path in sorted(infra.glob("modules/*/main.tf")))]:
        names = {key: name for path in files for key, name in _storage_names(path, storage).items()}
        for path in files:
            _settings(path, infra, names, stage, cloud_values, storage)
    return storage


def _storage_names(module: Path, storage: Storage) -> dict[tuple[str, str], str]:
    """Each storage resource of `module` with a literal name, by (kind, id); added to `storage`."""
    names: dict[tuple[str, str], str] = {}
    resource: tuple[str, str] | None = None
    for line in module.read_text(encoding="utf-8").splitlines():
        declared = _RESOURCE.match(line)
        if declared:
            resource = (declared["kind"], declared["id"])
            continue
        named = _NAME.match(line)
        if resource is not None and named:
            names[resource] = named["name"]
            {"table": storage.tables, "container": storage.containers, "queue": storage.queues}[
                resource[0]
            ].add(named["name"])
            resource = None
        elif line.startswith("}"):
            resource = None
    return names


def _settings(
    module: Path,
    infra: Path,
    names: Mapping[tuple[str, str], str],
    stage: str,
    cloud_values: Mapping[str, str],
    storage: Storage,
) -> None:
    block = ""  # the top-level block the line is in: `output "api_settings"`, `module "app"`, `locals`
    app: str | None = None
    target: str | None = None
    for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(("output ", "module ", "resource ", "locals ", "variable ")):
            block, app = line.split("{", 1)[0].strip(), None
        named = _APP.match(line)
        if named:
            app = named["app"]
        opened = _SETTINGS_OPEN.match(line)
        if opened:
            if opened["what"] == "value":
                target = "api" if block == 'output "api_settings"' else None
            else:
                # An app's own map (its `app = ...` above), or local.platform's: every app's.
                target = app if app is not None else EVERY_APP if block == "locals" else None
            continue
        if target is None:
            continue
        if re.match(r"^\s*\}", line):
            target = None
            continue
        setting = _SETTING.match(line)
        if setting:
            where = f"infra/{module.relative_to(infra)}:{number}"
            value = _value(setting["key"], setting["value"], names, stage, cloud_values, where)
            storage.settings.setdefault(target, {})[setting["key"]] = value


def _value(
    key: str,
    expression: str,
    names: Mapping[tuple[str, str], str],
    stage: str,
    cloud_values: Mapping[str, str],
    where: str,
) -> str:
    if expression.startswith('"') and expression.endswith('"') and "${" not in expression:
        return expression[1:-1]
    if expression == "var.stage":
        return stage
    reference = _STORAGE_REFERENCE.match(expression)
    if reference and (reference["kind"], reference["id"]) in names:
        return names[(reference["kind"], reference["id"])]
    if key in cloud_values:
        return cloud_values[key]
    raise LocalSetupError(
        f"{where}: the setting {key} = {expression} has no local value: give it a literal, a storage "
        "resource's name, or a local stand-in's address in tools/azure/dev.py (CLOUD_VALUES)"
    )
