"""Check the Terraform in infra/ offline: format, parse, provider schema, checkov and our own controls.

No provider can be downloaded without network access, so `terraform validate` and `plan` cannot run
offline. Instead:

- fmt: `terraform fmt -check -recursive` (terraform needs no provider for it);
- parse: every .tf file parses (python-hcl2, from the scanners' environment);
- references: every module, variable, local, resource and data source a folder's .tf files use (outside
  comments, and in strings only inside `${...}`) is declared in that folder, as `terraform validate`
  requires first;
- schema: every resource and data source type, argument and nested block exists in its provider's
  schema (infra/schema/<provider>-<version>.json, extracted from the provider version that
  infra/versions.tf pins: google on GCP, and google-beta for the blocks that say `provider =
  google-beta` (API Gateway); azurerm on Azure);
- checkov: the terraform framework finds no failed check, and every skip says why beside its resource;
- controls: what checkov does not check, in the provider's own file (tools/infra_controls_gcp.py:
  Firestore, Secret Manager, Scheduler, function ingress and invokers, Pub/Sub dead letters, keys, the
  archive's retention lock, one service account per function; tools/infra_controls_azure.py: the Flex
  Consumption apps' HTTPS, TLS, identity, authentication and CORS, per-app grants, poison queues, Key
  Vault, the archive's immutability lock). Each control has an id and serves an area of
  tools/regulation.py: the report prints the clause it serves in this project's jurisdiction, as the
  AWS flavour's `make audit` does.

Run it with the scanners' Python (it needs hcl2 and checkov): `make infra-check`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file has tools/ on the path, not the project: the regulations are tools.regulation.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from tools.regulation import GLI_19, JURISDICTION, Citation, cited  # noqa: E402 - once the project is on the path

INFRA = PROJECT_ROOT / "infra"
# The pinned provider of infra/versions.tf: its name picks the schema file and the controls module.
PINNED = re.compile(r'source\s*=\s*"hashicorp/([\w-]+)"\s*\n\s*version\s*=\s*"([0-9.]+)"')
CLOUDS = {"google": "gcp", "azurerm": "azure"}
# A provider used beside a cloud's own, by the blocks that name it (`provider = google-beta`).
COMPANIONS = {"google-beta": "google"}
MIN_SKIP_REASON = 20
TIMEOUT_SECONDS = 600


@dataclass
class Check:
    """One named check and what it found wrong (the controls' check: each control's finding too)."""

    name: str
    problems: list[str] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)
    controls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class Resource:
    """One resource or data source block of the Terraform."""

    kind: str  # "resource" or "data"
    type: str
    name: str
    body: dict[str, Any]
    path: Path


@dataclass(frozen=True)
class Control:
    """One of the project's own controls: what it checks, and the regulation area it serves.

    `check` appends a line per problem found to its last argument. `rule` names the jurisdiction's
    rule (retention, residency) whose value the control checks: it then cites that rule's source.
    """

    id: str
    title: str
    serves: dict[str, Citation]
    check: Callable[[list[Resource], list[dict[str, Any]], list[str]], None]
    rule: str | None = None

    def cites(self) -> list[str]:
        """The clause this control serves in this project's jurisdiction, then GLI-19's, with links."""
        source = cited(self.serves, self.rule)
        gli = self.serves[GLI_19]
        here = f"{source.clause} <{source.url}>" if isinstance(source, Citation) else source
        return [here, f"{gli.clause} <{gli.url}>"]


def value(body: dict[str, Any], key: str) -> Any:
    """An argument's value (hcl2 wraps every argument and block in a list)."""
    found = body.get(key)
    if isinstance(found, list) and len(found) == 1:
        return found[0]
    return found


def blocks(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The nested blocks of a name (hcl2 gives them as a list of dicts)."""
    found = body.get(key, [])
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def parse(infra: Path) -> tuple[list[Resource], list[dict[str, Any]], Check]:
    """Every resource and module call of the .tf files; a check listing the files that do not parse."""
    import hcl2  # the scanners' environment has it (python-hcl2, a checkov dependency)

    check = Check("parse")
    resources: list[Resource] = []
    modules: list[dict[str, Any]] = []
    files = sorted(infra.rglob("*.tf"))
    for path in files:
        try:
            with path.open(encoding="utf-8") as handle:
                document = hcl2.load(handle)
        except Exception as error:  # any parser error is this check's finding
            check.problems.append(f"{path.relative_to(infra)}: {error}")
            continue
        for kind in ("resource", "data"):
            for entry in document.get(kind, []):
                for type_name, named in entry.items():
                    for name, body in named.items():
                        resources.append(Resource(kind, type_name, name, body, path))
        for entry in document.get("module", []):
            for name, body in entry.items():
                modules.append({"name": name, "path": path, **body})
    check.counted = {"files": len(files), "resources": len(resources)}
    return resources, modules, check


# What `terraform validate` would refuse first and no other check here sees: a name used in a Terraform
# module (one folder of .tf files) that the folder does not declare.
DECLARED = {
    "module": re.compile(r'^module\s+"([\w-]+)"', re.MULTILINE),
    "var": re.compile(r'^variable\s+"([\w-]+)"', re.MULTILINE),
    "resource": re.compile(r'^resource\s+"(\w+)"\s+"([\w-]+)"', re.MULTILINE),
    "data": re.compile(r'^data\s+"(\w+)"\s+"([\w-]+)"', re.MULTILINE),
}
LOCALS_BLOCK = re.compile(r"^locals\s*\{\n(.*?)^\}", re.MULTILINE | re.DOTALL)
LOCAL_NAME = re.compile(r"^  ([\w-]+)\s*=", re.MULTILINE)
REFERENCE = re.compile(
    r"(?<![\w.\"/-])(?:(module|var|local)\.([\w-]+)|data\.(\w+)\.([\w-]+)|((?:google|google_beta|azurerm)_\w+)\.([\w-]+))"
)
COMMENT = re.compile(r"^\s*(#|//).*$", re.MULTILINE)
# A string or a heredoc: only what it interpolates (`${...}`) is code.
LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"|<<-?(\w+)\n.*?\n\s*\1\b', re.DOTALL)


def interpolated(literal: str) -> str:
    """The `${...}` parts of a string or heredoc (braces inside them balanced), on the literal's lines."""
    kept, depth, index = [], 0, 0
    while index < len(literal):
        if depth == 0 and literal.startswith("${", index):
            depth, index = 1, index + 2
            kept.append(" ")
            continue
        char = literal[index]
        if depth:
            depth += {"{": 1, "}": -1}.get(char, 0)
            kept.append(char if depth else " ")
        else:
            kept.append("\n" if char == "\n" else " ")
        index += 1
    return "".join(kept)


def code_of(text: str) -> str:
    """A .tf file without its comments, and its strings reduced to what they interpolate (same lines)."""
    return LITERAL.sub(lambda match: interpolated(match.group(0)), COMMENT.sub("", text))


def references(infra: Path) -> Check:
    """Every module, variable, local, resource and data source a folder's .tf files use is declared there."""
    check = Check("references")
    used = 0
    for folder in sorted({path.parent for path in infra.rglob("*.tf")}):
        files = sorted(folder.glob("*.tf"))
        raw = {path: path.read_text(encoding="utf-8") for path in files}
        texts = {path: code_of(text) for path, text in raw.items()}
        whole = "\n".join(COMMENT.sub("", text) for text in raw.values())
        declared = {
            "module": set(DECLARED["module"].findall(whole)),
            "var": set(DECLARED["var"].findall(whole)),
            "local": {name for block in LOCALS_BLOCK.findall(whole) for name in LOCAL_NAME.findall(block)},
            "resource": {f"{kind}.{name}" for kind, name in DECLARED["resource"].findall(whole)},
            "data": {f"{kind}.{name}" for kind, name in DECLARED["data"].findall(whole)},
        }
        for path, text in texts.items():
            for number, line in enumerate(text.splitlines(), 1):
                for match in REFERENCE.finditer(line):
                    kind, name, data_type, data_name, resource_type, resource_name = match.groups()
                    used += 1
                    if kind:
                        known, shown = name in declared[kind], f"{kind}.{name}"
                    elif data_type:
                        shown = f"data.{data_type}.{data_name}"
                        known = f"{data_type}.{data_name}" in declared["data"]
                    else:
                        shown = f"{resource_type}.{resource_name}"
                        known = shown in declared["resource"]
                    if not known:
                        where = folder.relative_to(infra).as_posix() if folder != infra else "infra/"
                        check.problems.append(
                            f"{path.relative_to(infra)}:{number}: {shown} is not declared in {where} "
                            "(terraform validate would refuse it)"
                        )
    check.counted = {"references": used}
    return check


def fmt(infra: Path) -> Check:
    """terraform fmt -check on the whole folder."""
    check = Check("fmt")
    terraform = shutil.which("terraform")
    if terraform is None:
        check.problems.append("terraform is not on PATH (needed for fmt only: no provider is downloaded)")
        return check
    result = subprocess.run(  # noqa: S603 - terraform on our own folder
        [terraform, "fmt", "-check", "-recursive", "-list=true", str(infra)],
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT_SECONDS,
    )
    check.problems = [f"not formatted: {line}" for line in result.stdout.split() if line]
    check.counted = {"files": sum(1 for _ in infra.rglob("*.tf"))}
    if result.returncode and not check.problems:
        check.problems.append(result.stderr.strip()[-500:])
    return check


def names_checked(
    body: dict[str, Any], schema: dict[str, Any], where: str, meta: set[str]
) -> Iterator[str | None]:
    """Each argument and block name of a body, recursively: None if the schema knows it, else where it is."""
    known = set(schema["arguments"]) | set(schema["blocks"])
    for key in body:
        if key.startswith("__") or key in meta:
            continue
        if key == "dynamic":  # dynamic "<block>" { for_each = ...  content { ... } }: the block's names
            for generated in blocks(body, key):
                for name, spec in generated.items():
                    yield None if name in schema["blocks"] else f"{where}: dynamic {name}"
                    for content in blocks(spec, "content") if name in schema["blocks"] else []:
                        yield from names_checked(content, schema["blocks"][name], f"{where}.{name}", set())
            continue
        yield None if key in known else f"{where}: {key}"
        if key in schema["blocks"]:
            for nested in blocks(body, key):
                yield from names_checked(nested, schema["blocks"][key], f"{where}.{key}", set())


def pinned_providers(infra: Path) -> dict[str, str]:
    """Every provider infra/versions.tf pins exactly, and its version."""
    return dict(PINNED.findall((infra / "versions.tf").read_text(encoding="utf-8")))


def pinned_provider(infra: Path) -> tuple[str, str] | None:
    """The cloud's provider infra/versions.tf pins exactly (google or azurerm) and its version."""
    pinned = [(name, version) for name, version in pinned_providers(infra).items() if name in CLOUDS]
    return pinned[0] if pinned else None


def provider_of(resource: Resource, cloud: str) -> str:
    """The provider a block belongs to: the one its `provider` meta-argument names, else the cloud's."""
    named = value(resource.body, "provider")
    return str(named).removeprefix("${").removesuffix("}").split(".")[0] if named else cloud


def schema_check(infra: Path, resources: list[Resource]) -> Check:
    """Every type, argument and block name exists in the pinned provider version's schema."""
    check = Check("schema")
    pinned = pinned_provider(infra)
    if pinned is None:
        check.problems.append(f"versions.tf pins no exact version of {' or '.join(CLOUDS)}")
        return check
    cloud = pinned[0]
    versions = pinned_providers(infra)
    schemas: dict[str, dict[str, Any]] = {}
    for provider, version in versions.items():
        if provider != cloud and COMPANIONS.get(provider) != cloud:
            continue
        path = infra / "schema" / f"{provider}-{version}.json"
        if not path.exists():
            check.problems.append(f"no schema for the pinned {provider} {version} ({path.name})")
            continue
        schemas[provider] = json.loads(path.read_text(encoding="utf-8"))
    names = 0
    for resource in resources:
        provider = provider_of(resource, cloud)
        where = f"{resource.path.relative_to(infra)}: {resource.type}.{resource.name}"
        if provider not in schemas:
            if provider not in versions:
                check.problems.append(f"{where}: provider {provider} is not pinned in versions.tf")
            continue
        schema, version = schemas[provider], versions[provider]
        section = schema["resources" if resource.kind == "resource" else "data_sources"]
        if resource.type not in section:
            check.problems.append(f"{where}: unknown {resource.kind} type of {provider} {version}")
            continue
        for unknown in names_checked(
            resource.body, section[resource.type], where, set(schema["meta_arguments"])
        ):
            names += 1
            if unknown:
                check.problems.append(f"{unknown}: not an argument or block of {provider} {version}")
    check.counted = {
        "types": len({r.type for r in resources}),
        "blocks": len(resources),
        "names": names,
        "providers": len(schemas),
    }
    return check


def checkov(infra: Path, executable: Path) -> Check:
    """checkov's terraform framework: no failed check, every skip with its reason."""
    check = Check("checkov")
    if not executable.exists():
        check.problems.append(f"{executable} not found (make infra-check installs the scanners)")
        return check
    result = subprocess.run(  # noqa: S603 - a scanner of our own environment on our own folder
        [
            str(executable),
            "-d",
            str(infra),
            "--framework",
            "terraform",
            "--skip-download",
            "--output",
            "json",
            "--compact",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT_SECONDS,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        check.problems.append(f"checkov gave no report: {result.stderr.strip()[-500:]}")
        return check
    results = report["results"]
    for failed in results["failed_checks"]:
        check.problems.append(f"{failed['check_id']} failed on {failed['resource']} ({failed['file_path']})")
    for skipped in results["skipped_checks"]:
        reason = str(skipped.get("check_result", {}).get("suppress_comment") or "").strip()
        if len(reason) < MIN_SKIP_REASON:
            check.problems.append(f"{skipped['check_id']} skipped on {skipped['resource']} without a reason")
    summary = report["summary"]
    check.counted = {key: summary[key] for key in ("passed", "failed", "skipped")}
    return check


def by_type(resources: list[Resource], type_name: str) -> list[Resource]:
    return [r for r in resources if r.kind == "resource" and r.type == type_name]


def controls(infra: Path, resources: list[Resource], modules: list[dict[str, Any]]) -> Check:
    """The project's own controls where checkov has none: the pinned provider's controls module."""
    pinned = pinned_provider(infra)
    if pinned is None:
        return Check("controls", [f"versions.tf pins no exact version of {' or '.join(CLOUDS)}"])
    # tools/ is on the path: this file runs as a script from it, or is imported from it.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    module = importlib.import_module(f"infra_controls_{CLOUDS[pinned[0]]}")
    check = Check("controls")
    for control in module.CONTROLS:
        found: list[str] = []
        control.check(resources, modules, found)
        check.problems.extend(f"{control.id}: {problem}" for problem in found)
        check.controls.append(
            {
                "id": control.id,
                "title": control.title,
                "passed": not found,
                "problems": found,
                "cites": control.cites(),
            }
        )
    check.counted = {**module.counted(resources, modules), "controls": len(module.CONTROLS)}
    return check


def run(infra: Path, checkov_bin: Path | None) -> list[Check]:
    """Every check, in order."""
    resources, modules, parsed = parse(infra)
    checks = [
        fmt(infra),
        parsed,
        references(infra),
        schema_check(infra, resources),
        controls(infra, resources, modules),
    ]
    if checkov_bin is not None:
        checks.append(checkov(infra, checkov_bin))
    return checks


def main(argv: list[str] | None = None) -> int:
    """Run the checks, print one line each (and every problem), exit 1 if one fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--infra", type=Path, default=INFRA)
    parser.add_argument(
        "--checkov",
        type=Path,
        default=Path(sys.executable).parent / "checkov",
        help="checkov executable (default: beside this Python)",
    )
    parser.add_argument("--no-checkov", action="store_true", help="skip checkov (the quick checks only)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    checks = run(args.infra, None if args.no_checkov else args.checkov)
    for check in checks:
        figures = ", ".join(f"{k} {v}" for k, v in check.counted.items())
        print(f"{'PASS' if check.passed else 'FAIL'} {check.name}: {figures}")
        if check.controls:  # one line per control, what it serves, and under a failed one its problems
            print(f"    (each control cites the clause it serves in {JURISDICTION}, then GLI-19)")
            for control in check.controls:
                verdict = "pass" if control["passed"] else "FAIL"
                print(f"    {verdict} {control['id']}: {control['title']}")
                for source in control["cites"]:
                    print(f"         cites {source}")
                for problem in control["problems"]:
                    print(f"         - {problem}")
            continue
        for problem in check.problems:
            print(f"    {problem}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "name": c.name,
                        "passed": c.passed,
                        "problems": c.problems,
                        "counted": c.counted,
                        **({"controls": c.controls} if c.controls else {}),
                    }
                    for c in checks
                ],
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0 if all(check.passed for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
