"""`make package` on Azure: one zip per function app, as Flex Consumption's one-deploy takes it.

Each app of infra/ whose code is built (src/<package>/azure_apps/<app>.py) gets .build/azure/<app>.zip:
- function_app.py, the file the Python v2 model's host indexes: it imports the app's `app`;
- host.json (the queue trigger's retries and poison queues, the HTTP route prefix);
- requirements.txt, the function apps' runtime lock (requirements.txt and requirements-azure.txt,
  hash-pinned), which one-deploy's remote build installs on the platform's Linux;
- the package modules the app imports and nothing else of the project, picked by the same rules as
  the AWS zips (tools/function_files.py), with their hash-checked bytecode when this Python is the
  apps' runtime version (infra/variables.tf python_version).
The archives are deterministic: entries in name order, one fixed time, one mode, so the same sources
give the same bytes (and the same hash) on any machine.

    python -m tools.azure.package            # what make package runs
    python -m tools.azure.package --print    # each app's modules, without writing anything
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tools.azure.function_apps import app_module, built_apps, declared
from tools.function_files import (
    PACKAGE,
    PackagingError,
    bytecode_path,
    compile_bytecode,
    data_files,
    function_code,
)
from tools.project import PROJECT_ROOT

OUTPUT_DIR = PROJECT_ROOT / ".build" / "azure"
# Every entry's time (the zip format's earliest) and mode: the archive's bytes depend on the sources alone.
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)
ENTRY_MODE = 0o644 << 16
# The locks the apps run with, in this order (a package both name is taken from the first).
RUNTIME_LOCKS = ("requirements.txt", "requirements-azure.txt")
_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*==")


@dataclass(frozen=True)
class AppArchive:
    """One app's archive: its name, the project files it carries, and the files written for it."""

    app: str
    modules: tuple[str, ...]
    files: tuple[str, ...]


def function_app_py(app: str) -> str:
    """The archive's function_app.py: the host indexes the FunctionApp it imports."""
    source = f"src/{PACKAGE}/azure_apps/{app}.py"
    return f'"""The {app} function app, written by make package: its code is {source}."""\n\n' + (
        f"from {app_module(app)} import app as app\n"
    )


def runtime_requirements(root: Path = PROJECT_ROOT) -> str:
    """The runtime locks as one hash-pinned requirements.txt (each package once: pip refuses doubles)."""
    seen: set[str] = set()
    lines = ["# The function apps' runtime lock: requirements.txt and requirements-azure.txt (make lock)."]
    for lock in RUNTIME_LOCKS:
        keep = False
        for line in (root / lock).read_text(encoding="utf-8").splitlines():
            named = _REQUIREMENT.match(line)
            if named:
                name = named["name"].lower().replace("_", "-")
                keep = name not in seen
                seen.add(name)
            elif not line.startswith((" ", "\t")):
                keep = False  # a comment between requirements
            if keep:
                lines.append(line)
    return "\n".join(lines) + "\n"


def runtime_version() -> str:
    """The apps' Python version: infra/variables.tf's python_version default."""
    text = (PROJECT_ROOT / "infra" / "variables.tf").read_text(encoding="utf-8")
    found = re.search(r'variable "python_version"\s*\{[^}]*default\s*=\s*"(?P<version>[0-9.]+)"', text)
    if found is None:
        raise PackagingError("infra/variables.tf declares no python_version default")
    return found["version"]


def apps_to_package() -> list[str]:
    """The apps infra/ declares whose code is built, in name order."""
    built = built_apps()
    return sorted(app for app in declared() if app in built)


def archive_code(app: str) -> AppArchive:
    """What app `app`'s archive carries of the project (sources and data files)."""
    code = function_code(app, app_module(app), data_files(), "azure")
    return AppArchive(app, code.modules, code.files)


def write_archive(code: AppArchive, target: Path, bytecode: bool, requirements: str) -> None:
    """Write one app's zip: its function_app.py, host.json, requirements.txt and package files."""
    entries: dict[str, bytes] = {
        "function_app.py": function_app_py(code.app).encode(),
        "host.json": (PROJECT_ROOT / "host.json").read_bytes(),
        "requirements.txt": requirements.encode(),
    }
    for file in code.files:
        entries[file.removeprefix("src/")] = (PROJECT_ROOT / file).read_bytes()
        if bytecode and file.endswith(".py"):
            pyc = bytecode_path(file)
            entries[pyc.removeprefix("src/")] = (PROJECT_ROOT / pyc).read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
            info.external_attr = ENTRY_MODE
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])
    partial.replace(target)


def build(output: Path = OUTPUT_DIR, *, write: bool = True, out: TextIO | None = None) -> list[AppArchive]:
    """Every app's archive (written under `output` unless `write` is false); progress to `out`."""
    out = out or sys.stdout
    runtime = runtime_version()
    here = "{}.{}".format(*sys.version_info[:2])
    bytecode = write and here == runtime
    codes = [archive_code(app) for app in apps_to_package()]
    if not codes:
        raise PackagingError("no function app to package: src/<package>/azure_apps/ has none infra/ declares")
    if not write:
        return codes
    if bytecode:
        compile_bytecode(sorted({file for code in codes for file in code.files if file.endswith(".py")}))
    requirements = runtime_requirements()
    for code in codes:
        target = output / f"{code.app}.zip"
        write_archive(code, target, bytecode, requirements)
        size = target.stat().st_size
        where = target.relative_to(PROJECT_ROOT) if target.is_relative_to(PROJECT_ROOT) else target
        print(
            f"{code.app}: {len(code.modules)} modules of {PACKAGE}, {size / 1024:.1f} KiB -> {where}",
            file=out,
        )
    if bytecode:
        print(f"Bytecode compiled for Python {runtime} (hash-checked), in every archive.", file=out)
    else:
        print(
            f"No bytecode: this is Python {here} and the apps run {runtime}; the first start of each "
            "instance compiles the project's modules (package with that Python to avoid it).",
            file=out,
        )
    return codes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="show each app's modules, write nothing")
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR, help="where the archives go")
    arguments = parser.parse_args(argv)
    try:
        codes = build(arguments.output, write=not arguments.print)
    except PackagingError as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    if arguments.print:
        for code in codes:
            print(f"{code.app}:\n  " + "\n  ".join(code.modules))
    return 0


if __name__ == "__main__":
    sys.exit(main())
