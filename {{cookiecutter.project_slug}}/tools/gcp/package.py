"""`make package` on GCP: one source archive per function, named as infra/ expects.

infra/ deploys each Cloud Run function from `<function>-<source_version>.zip` in the sources bucket
(infra/functions.tf, infra/blocks/*, `source_object`), and Cloud Build installs its requirements.txt and
calls its `entry_point` in main.py. Each archive here holds:

- main.py, which finds the target by name (src/<package>/gcp/<target>.py);
- requirements.txt: the runtime lock, requirements.txt and requirements-gcp.txt merged (hash-checked);
- the package's modules the target can import and the data files of their packages, nothing else
  (tools/function_files.py, shared with the AWS packager): a worker carries neither the API nor
  another module's domain;
- their bytecode, hash-checked (PEP 552), when this Python is the functions' runtime (infra/main.tf).

Archives are deterministic: sorted entries, one fixed timestamp and mode, so the same sources give the
same bytes (and the same checksum in the bucket). A function infra/ deploys whose entry point is not
built yet is named and left out.

    python -m tools.gcp.package                           # .build/gcp/<function>-<version>.zip
    python -m tools.gcp.package --source-version 42 --out dist
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tools.function_files import (
    FunctionCode,
    PackagingError,
    bytecode_path,
    compile_bytecode,
    data_files,
    function_code,
    module_path,
)
from tools.project import PROJECT_ROOT

PACKAGE = "{{ cookiecutter.package_name }}"
INFRA = PROJECT_ROOT / "infra"
OUTPUT = PROJECT_ROOT / ".build" / "gcp"
LOCKS = ("requirements.txt", "requirements-gcp.txt")
# 1980-01-01, the earliest time a zip entry can hold: every entry gets it, whatever the files' times.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
ARCHIVE = re.compile(r'"([A-Za-z][A-Za-z0-9]*)-\$\{[a-z.]*source_version\}\.zip"')
ENTRY_POINT = re.compile(r'^\s*entry_point\s*=\s*"([a-z_]+)"', re.MULTILINE)
RUNTIME = re.compile(r'^\s*runtime\s*=\s*"python(\d)(\d+)"', re.MULTILINE)
SOURCE_VERSION = re.compile(r'variable "source_version" \{[^}]*default\s*=\s*"([^"]*)"', re.DOTALL)


@dataclass(frozen=True)
class DeployedFunction:
    """A function infra/ deploys: its key (the archive's name) and its functions-framework target."""

    key: str
    entry_point: str


def deployed_functions(infra: Path = INFRA) -> list[DeployedFunction]:
    """Each function of infra/: the archive name and the entry point of one top-level block."""
    found = []
    for path in sorted(infra.rglob("*.tf")):
        # Top-level blocks start at column 0 and end at the next closing brace there.
        for block in re.split(r"^}\s*$", path.read_text(encoding="utf-8"), flags=re.MULTILINE):
            archives, entry_points = ARCHIVE.findall(block), ENTRY_POINT.findall(block)
            if archives and entry_points:
                found.append(DeployedFunction(archives[0], entry_points[0]))
    return sorted(found, key=lambda function: function.key)


def source_version(infra: Path = INFRA) -> str:
    """The default of infra's `source_version` variable (variables.tf): the archives' names end with it."""
    match = SOURCE_VERSION.search((infra / "variables.tf").read_text(encoding="utf-8"))
    if match is None:
        raise PackagingError("infra/variables.tf has no source_version variable with a default")
    return match.group(1)


def runtime_version(infra: Path = INFRA) -> str:
    """The functions' Python version from infra/main.tf's runtime (python313 -> 3.13)."""
    match = RUNTIME.search((infra / "main.tf").read_text(encoding="utf-8"))
    if match is None:
        raise PackagingError("infra/main.tf sets no python runtime")
    return f"{match.group(1)}.{match.group(2)}"


def is_built(entry_point: str) -> bool:
    return module_path(f"{PACKAGE}.gcp.{entry_point}") is not None


def runtime_requirements() -> str:
    """requirements.txt and requirements-gcp.txt as one hash-checked lock (each package once)."""
    entries: dict[str, str] = {}
    for lock in LOCKS:
        text = (PROJECT_ROOT / lock).read_text(encoding="utf-8")
        for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
            if not entry[:1].isalnum():  # the header's comments
                continue
            name = re.split(r"[=<>\[ ;]", entry, maxsplit=1)[0].lower().replace("_", "-")
            pinned = entry.split(" ", 1)[0]
            if name in entries and entries[name].split(" ", 1)[0] != pinned:
                raise PackagingError(f"{lock} pins {pinned}, another lock {entries[name].split(' ', 1)[0]}")
            entries[name] = entries.get(name, entry.rstrip())
    header = "# The functions' runtime lock: " + " + ".join(LOCKS) + " (tools/gcp/package.py)\n"
    return header + "\n".join(entries[name] for name in sorted(entries)) + "\n"


def archive_entries(code: FunctionCode, bytecode: bool) -> dict[str, Path | str]:
    """What one archive holds: its name inside the archive -> the project file (or the text)."""
    entries: dict[str, Path | str] = {
        "main.py": PROJECT_ROOT / "main.py",
        "requirements.txt": runtime_requirements(),
    }
    for file in code.files:
        inside = file.removeprefix("src/")
        entries[inside] = PROJECT_ROOT / file
        if bytecode and file.endswith(".py"):
            entries[bytecode_path(file).removeprefix("src/")] = PROJECT_ROOT / bytecode_path(file)
    return entries


def write_archive(path: Path, entries: dict[str, Path | str]) -> None:
    """A zip of `entries` in name order, every entry with the same time and mode: reproducible bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(entries):
            content = entries[name]
            data = content.read_bytes() if isinstance(content, Path) else content.encode()
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)


def build(out: Path = OUTPUT, version: str | None = None) -> list[Path]:
    """Write every built function's archive into `out`; the archives written."""
    version = source_version() if version is None else version
    if not re.fullmatch(r"[A-Za-z0-9._-]+", version):
        raise PackagingError(f"source version {version!r}: use letters, digits, dots, dashes or underscores")
    functions = deployed_functions()
    runtime = runtime_version()
    here = "{}.{}".format(*sys.version_info[:2])
    bytecode = here == runtime
    data = data_files()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for function in functions:
        if not is_built(function.entry_point):
            print(f"  {function.key}: left out, {function.entry_point} is not built yet (infra/README.md)")
            continue
        code = function_code(function.key, f"{PACKAGE}.gcp.{function.entry_point}", data, provider="gcp")
        if bytecode:
            compile_bytecode([file for file in code.files if file.endswith(".py")])
        path = out / f"{function.key}-{version}.zip"
        write_archive(path, archive_entries(code, bytecode))
        size = path.stat().st_size / 1024
        print(f"  {path.name}: {len(code.modules)} modules of {PACKAGE}, {size:.1f} KiB")
        written.append(path)
    if not bytecode:
        print(f"No bytecode: this is python{here}; the functions run python{runtime} (package with it).")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-version", help="the archives' version (default: infra's source_version)")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="the archives' folder (default: .build/gcp)")
    arguments = parser.parse_args(argv)
    print(f"==> One source archive per function into {arguments.out}")
    try:
        written = build(arguments.out, arguments.source_version)
    except PackagingError as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    total = sum(path.stat().st_size for path in written)
    print(f"Wrote {len(written)} archives, {total / 1024:.1f} KiB in all.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
