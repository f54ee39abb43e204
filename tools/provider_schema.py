"""Extract a Terraform provider's schema, for the resource types the template's Terraform uses, from a CDKTF wheel.

Terraform cannot download providers on an offline machine, so `terraform validate` cannot run there.
Each prebuilt CDKTF provider package (`cdktf-cdktf-provider-google`, `cdktf-cdktf-provider-azurerm`) was
generated from one exact provider version and embeds its schema in its jsii assembly
(`_jsii/*.jsii.tgz` -> `package/.jsii`, JSON):

- each resource is a class whose base is `cdktf.TerraformResource` (a data source: `cdktf.TerraformDataSource`),
  and whose initializer's docs link names the Terraform type (`.../docs/resources/<name>`);
- its config interface (`<Class>Config`) has one property per argument; the snake_case name is the anchor
  of the property's docs link (`...#<arg_name> `);
- a property typed as a datatype interface (possibly inside a collection or a union) is a nested block,
  whose own properties are read the same way.

Usage: python tools/provider_schema.py PROVIDER WHEEL OUTPUT.json   (PROVIDER: google, google-beta or
azurerm; make gcp-schema / make azure-schema download the wheels)
The output lists only the types the template's Terraform names, so it stays small enough to commit. The
GCP Terraform uses two providers: a block with `provider = google-beta` (API Gateway, which only the
beta provider has) is google-beta's, checked against `cdktf-cdktf-provider-google-beta`'s schema of the
same version; every other `google_*` block is google's.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parent.parent
PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"
# Where each provider's Terraform lives in the template (the generated project's infra/).
TERRAFORM_SOURCES = {
    "google": [PROJECT / "infra", TEMPLATE / "templates" / "gcp"],
    "google-beta": [PROJECT / "infra", TEMPLATE / "templates" / "gcp"],
    "azurerm": [PROJECT / "infra-azure", TEMPLATE / "templates" / "azure"],
}
# The prefix of each provider's type names (google-beta's types are named google_* too).
TYPE_PREFIX = {"google": "google", "google-beta": "google", "azurerm": "azurerm"}
# A top-level block of a .tf file: its kind, its type and its body (terraform fmt closes it at column 0).
BLOCK = re.compile(r'^(resource|data)\s+"([a-z0-9_]+)"\s+"[^"]+"\s*\{(.*?)^\}', re.MULTILINE | re.DOTALL)
BETA = re.compile(r"^\s*provider\s*=\s*google-beta\s*$", re.MULTILINE)
TYPE_LINK = r"/providers/hashicorp/{provider}/([0-9.]+)/docs/(resources|data-sources)/([a-z0-9_]+)[ }}]"
ARGUMENT_LINK = re.compile(r"/docs/(?:resources|data-sources)/[a-z0-9_]+#([a-z0-9_]+)[ }]")
BASES = {"cdktf.TerraformResource": "resources", "cdktf.TerraformDataSource": "data_sources"}


def used_types(provider: str) -> dict[str, set[str]]:
    """The provider's resource and data source types the template's Terraform files name."""
    found: dict[str, set[str]] = {"resources": set(), "data_sources": set()}
    for folder in TERRAFORM_SOURCES[provider]:
        for path in folder.rglob("*.tf"):
            for kind, name, body in BLOCK.findall(path.read_text(encoding="utf-8")):
                if name.startswith(f"{TYPE_PREFIX[provider]}_") and block_provider(provider, body) == provider:
                    found["resources" if kind == "resource" else "data_sources"].add(name)
    return found


def block_provider(provider: str, body: str) -> str:
    """The provider a block of `provider`'s types belongs to: google-beta when it says so, else google."""
    if TYPE_PREFIX[provider] != "google":
        return provider
    return "google-beta" if BETA.search(body) else "google"


def read_assembly(wheel: Path) -> dict[str, Any]:
    """The jsii assembly (package/.jsii) inside the wheel's _jsii/*.jsii.tgz."""
    with zipfile.ZipFile(wheel) as archive:
        tgz = next(name for name in archive.namelist() if name.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(archive.read(tgz)), mode="r:gz") as tar:
            member = tar.extractfile("package/.jsii")
            if member is None:
                raise SystemExit(f"{wheel.name}: {tgz} has no package/.jsii")
            assembly: dict[str, Any] = json.load(member)
    return assembly


def referenced_interfaces(reference: dict[str, Any]) -> list[str]:
    """The fqns a property's type refers to, through collections and unions."""
    if "fqn" in reference:
        return [reference["fqn"]]
    if "collection" in reference:
        return referenced_interfaces(reference["collection"]["elementtype"])
    if "union" in reference:
        return [fqn for member in reference["union"]["types"] for fqn in referenced_interfaces(member)]
    return []


def argument_name(prop: dict[str, Any]) -> str | None:
    """The snake_case argument name: the anchor of the property's docs link."""
    docs = prop.get("docs", {})
    match = ARGUMENT_LINK.search(f"{docs.get('summary', '')} {docs.get('remarks', '')}")
    return match.group(1) if match else None


def block_schema(types: dict[str, Any], fqn: str, depth: int = 0) -> dict[str, Any]:
    """Arguments and nested blocks of one config or block interface."""
    arguments: list[str] = []
    blocks: dict[str, Any] = {}
    for prop in types[fqn].get("properties", []):
        name = argument_name(prop)
        if name is None:
            continue
        nested = [ref for ref in referenced_interfaces(prop["type"])
                  if types.get(ref, {}).get("kind") == "interface" and types[ref].get("datatype")]
        if nested and depth < 12:
            blocks[name] = block_schema(types, nested[0], depth + 1)
        else:
            arguments.append(name)
    return {"arguments": sorted(arguments), "blocks": dict(sorted(blocks.items()))}


def extract(provider: str, wheel: Path, wanted: dict[str, set[str]]) -> dict[str, Any]:
    """The compact schema of the wanted types, with the provider version and the wheel's sha256."""
    assembly = read_assembly(wheel)
    types: dict[str, Any] = assembly["types"]
    type_link = re.compile(TYPE_LINK.format(provider=provider))
    schema: dict[str, Any] = {"resources": {}, "data_sources": {}}
    versions = set()
    for fqn, spec in types.items():
        section = BASES.get(spec.get("base", ""))
        if section is None:
            continue
        link = type_link.search(spec.get("initializer", {}).get("docs", {}).get("summary", ""))
        # The docs link names the type without the provider's prefix (`storage_bucket`, `key_vault`);
        # a name that already carries it is taken as it is.
        if not link:
            continue
        prefix = TYPE_PREFIX[provider]
        name = link.group(3) if link.group(3).startswith(f"{prefix}_") else f"{prefix}_{link.group(3)}"
        if name not in wanted[section]:
            continue
        versions.add(link.group(1))
        schema[section][name] = block_schema(types, f"{fqn}Config")
    missing = {section: sorted(set(names) - set(schema[section])) for section, names in wanted.items()}
    if any(missing.values()):
        raise SystemExit(f"not in the provider's schema: {missing}")
    if len(versions) != 1:
        raise SystemExit(f"expected one provider version in the assembly, found {sorted(versions)}")
    return {
        "provider": f"hashicorp/{provider}",
        "version": versions.pop(),
        "extracted_from": {
            "package": f"{assembly['name']}=={assembly['version']} (PyPI: cdktf-cdktf-provider-{provider})",
            "wheel": wheel.name,
            "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        },
        "meta_arguments": ["count", "depends_on", "for_each", "lifecycle", "provider", "provisioner", "connection"],
        "resources": dict(sorted(schema["resources"].items())),
        "data_sources": dict(sorted(schema["data_sources"].items())),
    }


def main(argv: list[str]) -> int:
    """Write the schema of the used types to the output file."""
    if len(argv) != 3 or argv[0] not in TERRAFORM_SOURCES:
        print(__doc__, file=sys.stderr)
        return 2
    provider, wheel, output = argv[0], Path(argv[1]), Path(argv[2])
    schema = extract(provider, wheel, used_types(provider))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(schema, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    counted = sum(len(section) for section in (schema["resources"], schema["data_sources"]))
    print(f"{output}: {provider} {schema['version']}, {counted} types")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
