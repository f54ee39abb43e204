"""A CycloneDX SBOM for each packaged zip: what the function runs, next to the zip it describes.

serverless-python-requirements strips the packages' metadata (`*.dist-info`) from the API's zip, so
nothing inside a zip says what it carries. This writes `.serverless/<zip>.cdx.json` (CycloneDX 1.6
JSON) for every zip the packaged template deploys: the zip itself (its SHA-256), this project's
package, each third-party package of requirements.txt that is in the zip (the version the hash-checked
lock pins, for the functions' Python on Lambda's arm64 Linux), serverless-wsgi's handler (the version
package-lock.json pins) and the layers the function runs with (the Powertools layer). Its serial
number comes from the zip's hash: the same zip gives the same SBOM.

    python -m tools.sbom    # after make package (make audit runs it)

`make deploy` names each zip's SBOM in its StackDeployed audit event (`deployed_artifacts`).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.markers import Marker

PACKAGE = "{{ cookiecutter.package_name }}"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = PROJECT_ROOT / ".serverless"
TEMPLATE = PACKAGE_DIR / "cloudformation-template-update-stack.json"
SPEC_VERSION = "1.6"
# A pinned requirement of a `uv pip compile` lock, its continuation lines joined.
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)"
    r"\s*(?:;(?P<marker>[^\\]*?))?\s*(?:--hash|$)"
)


@dataclass(frozen=True)
class Pin:
    """One package the lock pins, and the environments it is for."""

    name: str
    version: str
    marker: str | None

    @property
    def import_name(self) -> str:
        """The top-level folder the package installs, by the usual convention (Flask -> flask)."""
        return re.sub(r"[-_.]+", "_", self.name).lower()

    @property
    def purl(self) -> str:
        return f"pkg:pypi/{re.sub(r'[-_.]+', '-', self.name).lower()}@{self.version}"


def lambda_environment(python_version: str) -> dict[str, str]:
    """Marker values of the functions' runtime: CPython on Lambda's arm64 Linux."""
    return {
        "python_version": python_version,
        "python_full_version": f"{python_version}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "aarch64",
        "os_name": "posix",
    }


def read_lock(text: str, python_version: str) -> list[Pin]:
    """The lock's pins that apply on the functions' runtime."""
    environment = lambda_environment(python_version)
    pins = []
    for line in text.replace("\\\n", " ").splitlines():
        match = PIN.match(line.strip())
        if match is None:
            continue
        marker = (match["marker"] or "").strip() or None
        if marker is None or Marker(marker).evaluate(environment):
            pins.append(Pin(match["name"], match["version"], marker))
    return pins


def _npm_version(lock: dict[str, Any], name: str) -> str | None:
    entry = (lock.get("packages") or {}).get(f"node_modules/{name}") or {}
    version = entry.get("version")
    return version if isinstance(version, str) else None


def _top_level(names: list[str]) -> set[str]:
    """The zip's top-level folders and modules, lower-cased (flask, werkzeug, wsgi_handler, ...)."""
    found = set()
    for name in names:
        first = PurePosixPath(name).parts[0]
        found.add((first[:-3] if first.endswith(".py") else first).lower())
    return found


def _layers_by_zip(template: dict[str, Any]) -> dict[str, list[str]]:
    """The layer ARNs of each function in the packaged template, by the name of its zip."""
    layers: dict[str, list[str]] = {}
    for resource in (template.get("Resources") or {}).values():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        properties = resource.get("Properties") or {}
        key = (properties.get("Code") or {}).get("S3Key")
        if isinstance(key, str):
            arns = [arn for arn in properties.get("Layers") or [] if isinstance(arn, str)]
            layers[PurePosixPath(key).name] = arns
    return layers


def _layer_component(arn: str) -> dict[str, Any]:
    # arn:aws:lambda:<region>:<account>:layer:<name>:<version>
    parts = arn.split(":")
    return {
        "type": "library",
        "bom-ref": arn,
        "name": parts[6] if len(parts) > 7 else arn,
        "version": parts[7] if len(parts) > 7 else "",
        "description": "Lambda layer the function runs with",
        "externalReferences": [{"type": "distribution", "url": arn}],
    }


def sbom(
    archive: Path,
    pins: list[Pin],
    project: dict[str, Any],
    layers: list[str],
    npm_lock: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The CycloneDX document of one zip."""
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
    present = _top_level(names)
    name, version = str(project["name"]), str(project["version"])
    components: list[dict[str, Any]] = []
    if any(entry.startswith((f"src/{PACKAGE}/", f"{PACKAGE}/")) for entry in names):
        components.append(
            {"type": "library", "bom-ref": f"{name}@{version}", "name": PACKAGE, "version": version}
        )
    wsgi = _npm_version(npm_lock or {}, "serverless-wsgi")
    if "wsgi_handler" in present and wsgi:
        purl = f"pkg:npm/serverless-wsgi@{wsgi}"
        components.append(
            {
                "type": "library",
                "bom-ref": purl,
                "name": "serverless-wsgi",
                "version": wsgi,
                "purl": purl,
                "description": "its WSGI handler files, pinned in package-lock.json",
            }
        )
    components += [
        {
            "type": "library",
            "bom-ref": pin.purl,
            "name": pin.name,
            "version": pin.version,
            "purl": pin.purl,
            "description": "pinned with its hashes in requirements.txt",
        }
        for pin in pins
        if pin.import_name in present
    ]
    components += [_layer_component(arn) for arn in layers]
    artifact = f"{name}/{archive.name}"
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'sha256:{digest}')}",
        "version": 1,
        "metadata": {
            "component": {
                "type": "application",
                "bom-ref": artifact,
                "name": artifact,
                "version": version,
                "hashes": [{"alg": "SHA-256", "content": digest}],
            },
            "tools": {"components": [{"type": "application", "name": f"{name} tools/sbom.py"}]},
        },
        "components": components,
        "dependencies": [{"ref": artifact, "dependsOn": [c["bom-ref"] for c in components]}],
    }


def sbom_path(archive: Path) -> Path:
    """Where the SBOM of a zip is kept: beside it, `<zip stem>.cdx.json`."""
    return archive.with_name(f"{archive.stem}.cdx.json")


def write_all(package_dir: Path = PACKAGE_DIR, root: Path = PROJECT_ROOT) -> list[Path]:
    """Write the SBOM of every zip of the package; the paths written."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    python_version = (root / ".python-version").read_text(encoding="utf-8").strip()
    pins = read_lock((root / "requirements.txt").read_text(encoding="utf-8"), python_version)
    template_path = package_dir / TEMPLATE.name
    template = json.loads(template_path.read_text(encoding="utf-8")) if template_path.exists() else {}
    npm_path = root / "package-lock.json"
    npm_lock = json.loads(npm_path.read_text(encoding="utf-8")) if npm_path.exists() else {}
    layers = _layers_by_zip(template)
    archives = _deployed_zips(package_dir)
    for stale in package_dir.glob("*.cdx.json"):
        stale.unlink()
    written = []
    for archive in archives:
        document = sbom(archive, pins, project, layers.get(archive.name, []), npm_lock)
        path = sbom_path(archive)
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _deployed_zips(package_dir: Path) -> list[Path]:
    """The zips the packaged template deploys (another stage's zips may still be in the folder)."""
    template_path = package_dir / TEMPLATE.name
    template = json.loads(template_path.read_text(encoding="utf-8")) if template_path.exists() else {}
    return [package_dir / zip_name for zip_name in sorted(_layers_by_zip(template))] or sorted(
        package_dir.glob("*.zip")
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def deployed_artifacts(package_dir: Path = PACKAGE_DIR) -> list[dict[str, str | None]]:
    """Each deployed zip with its SHA-256, and the SBOM kept beside it: name, serial number, SHA-256.

    The deployment's audit event carries these, so the chained record of a deploy says exactly which
    zips went out and which SBOM describes each; a zip without its SBOM is named with `sbom: None`.
    """
    artifacts: list[dict[str, str | None]] = []
    for archive in _deployed_zips(package_dir):
        if not archive.is_file():
            continue
        document = sbom_path(archive)
        record: dict[str, str | None] = {
            "artifact": archive.name,
            "sha256": _sha256(archive),
            "sbom": None,
            "sbom_serial": None,
            "sbom_sha256": None,
        }
        if document.is_file():
            serial = json.loads(document.read_text(encoding="utf-8")).get("serialNumber")
            record.update(
                sbom=document.name,
                sbom_serial=serial if isinstance(serial, str) else None,
                sbom_sha256=_sha256(document),
            )
        artifacts.append(record)
    return artifacts


def main() -> int:
    if not PACKAGE_DIR.is_dir() or not any(PACKAGE_DIR.glob("*.zip")):
        print("sbom: no .serverless/*.zip: run make package first.", file=sys.stderr)
        return 2
    written = write_all()
    print(f"sbom: {len(written)} CycloneDX SBOM(s) written beside the zips in {PACKAGE_DIR.name}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
