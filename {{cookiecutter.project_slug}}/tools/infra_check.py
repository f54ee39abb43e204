"""Check the GCP Terraform in infra/ offline: format, parse, provider schema, checkov and our own controls.

No provider can be downloaded without network access, so `terraform validate` and `plan` cannot run
offline. Instead:

- fmt: `terraform fmt -check -recursive` (terraform needs no provider for it);
- parse: every .tf file parses (python-hcl2, from the scanners' environment);
- schema: every resource and data source type, argument and nested block exists in the google
  provider's schema (infra/schema/google-<version>.json, extracted from the provider version that
  infra/versions.tf pins);
- checkov: the terraform framework finds no failed check, and every skip says why beside its resource;
- controls: what checkov does not check (Firestore, Secret Manager, Scheduler, function ingress and
  invokers, Pub/Sub dead letters, keys, the archive's retention lock, one service account per function).

Run it with the scanners' Python (it needs hcl2 and checkov): `make infra-check`.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INFRA = Path(__file__).resolve().parent.parent / "infra"
PINNED = re.compile(r'version\s*=\s*"([0-9.]+)"')
MIN_SKIP_REASON = 20
MAX_ROTATION_SECONDS = 90 * 86400
# Members and roles no grant of this project may name.
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
PRIMITIVE_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
INGRESS = {"api": "ALLOW_INTERNAL_AND_GCLB"}
# The longest Firestore keeps a backup of each recurrence (7 days, 14 weeks).
BACKUP_RETENTION_SECONDS = {"daily": 7 * 86400, "weekly": 14 * 7 * 86400}
MAX_FILTER = 256  # Pub/Sub's limit on a subscription filter, in bytes
TIMEOUT_SECONDS = 600


@dataclass
class Check:
    """One named check and what it found wrong."""

    name: str
    problems: list[str] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)

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
        yield None if key in known else f"{where}: {key}"
        if key in schema["blocks"]:
            for nested in blocks(body, key):
                yield from names_checked(nested, schema["blocks"][key], f"{where}.{key}", set())


def schema_check(infra: Path, resources: list[Resource]) -> Check:
    """Every type, argument and block name exists in the pinned provider version's schema."""
    check = Check("schema")
    pinned = PINNED.search((infra / "versions.tf").read_text(encoding="utf-8"))
    if pinned is None:
        check.problems.append("versions.tf pins no exact google provider version")
        return check
    path = infra / "schema" / f"google-{pinned.group(1)}.json"
    if not path.exists():
        check.problems.append(f"no schema for the pinned google {pinned.group(1)} ({path.name})")
        return check
    schema = json.loads(path.read_text(encoding="utf-8"))
    meta = set(schema["meta_arguments"])
    names = 0
    for resource in resources:
        section = schema["resources" if resource.kind == "resource" else "data_sources"]
        where = f"{resource.path.relative_to(infra)}: {resource.type}.{resource.name}"
        if resource.type not in section:
            check.problems.append(f"{where}: unknown {resource.kind} type")
            continue
        for unknown in names_checked(resource.body, section[resource.type], where, meta):
            names += 1
            if unknown:
                check.problems.append(f"{unknown}: not an argument or block of google {pinned.group(1)}")
    check.counted = {"types": len({r.type for r in resources}), "blocks": len(resources), "names": names}
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


def controls(resources: list[Resource], modules: list[dict[str, Any]]) -> Check:
    """The project's own controls where checkov has no check."""
    check = Check("controls")
    found = check.problems
    for function in by_type(resources, "google_cloudfunctions2_function"):
        service = blocks(function.body, "service_config")
        ingress = value(service[0], "ingress_settings") if service else None
        expected = INGRESS.get(function.name, "ALLOW_INTERNAL_ONLY")
        if ingress != expected:
            found.append(f"function {function.name}: ingress {ingress!r}, expected {expected!r}")
        if not value(function.body, "kms_key_name"):
            found.append(f"function {function.name}: no kms_key_name (CMEK)")
    # One service account per function: each function names a google_service_account of its own file.
    accounts = [
        (f.path, str(value(b, "service_account_email")))
        for f in by_type(resources, "google_cloudfunctions2_function")
        for b in blocks(f.body, "service_config")
    ]
    for path, account in accounts:
        if "${google_service_account." not in account:
            found.append(f"{path.name}: function runs as {account}, not a service account of its own")
        elif accounts.count((path, account)) > 1:
            found.append(f"{path.name}: {account} runs several functions")
    for resource in resources:
        member, role = str(value(resource.body, "member")), str(value(resource.body, "role"))
        if any(public in member for public in PUBLIC_MEMBERS):
            found.append(f"{resource.type}.{resource.name}: public member {member}")
        if role in PRIMITIVE_ROLES:
            found.append(f"{resource.type}.{resource.name}: primitive role {role}")
    for key in by_type(resources, "google_kms_crypto_key"):
        rotation = str(value(key.body, "rotation_period") or "")
        if not rotation.endswith("s") or int(rotation[:-1]) > MAX_ROTATION_SECONDS:
            found.append(f"key {key.name}: rotation {rotation!r} longer than 90 days")
        if not any(value(life, "prevent_destroy") is True for life in blocks(key.body, "lifecycle")):
            found.append(f"key {key.name}: no prevent_destroy")
    databases = by_type(resources, "google_firestore_database")
    for database in databases:
        wanted = {
            "point_in_time_recovery_enablement": "POINT_IN_TIME_RECOVERY_ENABLED",
            "delete_protection_state": "DELETE_PROTECTION_ENABLED",
            "type": "FIRESTORE_NATIVE",
        }
        found.extend(
            f"firestore {database.name}: {k} is not {v}"
            for k, v in wanted.items()
            if value(database.body, k) != v
        )
        if not blocks(database.body, "cmek_config"):
            found.append(f"firestore {database.name}: no cmek_config")
    if databases and not by_type(resources, "google_firestore_backup_schedule"):
        found.append("firestore: no backup schedule")
    for schedule in by_type(resources, "google_firestore_backup_schedule"):
        retention = str(value(schedule.body, "retention") or "")
        for recurrence, longest in BACKUP_RETENTION_SECONDS.items():
            if f"{recurrence}_recurrence" not in schedule.body:
                continue
            seconds = int(retention[:-1]) if retention.endswith("s") and retention[:-1].isdigit() else 0
            if not 0 < seconds <= longest:
                found.append(
                    f"backup schedule {schedule.name}: retention {retention!r} is longer than "
                    f"a {recurrence} backup is kept ({longest} s) or not in seconds"
                )
    for secret in by_type(resources, "google_secret_manager_secret"):
        if "customer_managed_encryption" not in json.dumps(secret.body):
            found.append(f"secret {secret.name}: no customer-managed encryption")
    for job in by_type(resources, "google_cloud_scheduler_job"):
        targets = blocks(job.body, "http_target")
        if not targets or not blocks(targets[0], "oidc_token"):
            found.append(f"scheduler job {job.name}: calls without an OIDC token")
    for subscription in by_type(resources, "google_pubsub_subscription"):
        if not (blocks(subscription.body, "push_config") or blocks(subscription.body, "bigquery_config")):
            continue  # a pull subscription keeping dead letters
        for needed in ("dead_letter_policy", "retry_policy"):
            if not blocks(subscription.body, needed):
                found.append(f"subscription {subscription.name}: no {needed}")
        for push in blocks(subscription.body, "push_config"):
            if not blocks(push, "oidc_token"):
                found.append(f"subscription {subscription.name}: pushes without an OIDC token")
    for topic in by_type(resources, "google_pubsub_topic"):
        if not value(topic.body, "kms_key_name"):
            found.append(f"topic {topic.name}: no kms_key_name (CMEK)")
        if not blocks(topic.body, "message_storage_policy"):
            found.append(f"topic {topic.name}: messages may be stored outside the region")
    for bucket in by_type(resources, "google_storage_bucket"):
        if not blocks(bucket.body, "encryption"):
            found.append(f"bucket {bucket.name}: no default KMS key (CMEK)")
    archive = [b for b in by_type(resources, "google_storage_bucket") if b.name == "audit_archive"]
    if not archive or not blocks(archive[0].body, "retention_policy"):
        found.append("audit archive: no retention policy")
    else:
        lock = str(value(blocks(archive[0].body, "retention_policy")[0], "is_locked"))
        if "lock_archive" not in lock:
            found.append(f"audit archive: is_locked {lock!r} does not follow archive_lock_stages")
    for module in modules:
        for source, subscription in (value(module, "subscriptions") or {}).items():
            text = str(value(subscription, "filter") if isinstance(subscription, dict) else "")
            if len(text.encode()) > MAX_FILTER:
                found.append(f"module {module['name']}: filter of {source} is {len(text.encode())} bytes")
    check.counted = {
        "functions": len(by_type(resources, "google_cloudfunctions2_function")),
        "function_blocks": sum(1 for m in modules if "blocks/" in str(value(m, "source"))),
    }
    return check


def run(infra: Path, checkov_bin: Path | None) -> list[Check]:
    """Every check, in order."""
    resources, modules, parsed = parse(infra)
    checks = [fmt(infra), parsed, schema_check(infra, resources), controls(resources, modules)]
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
        for problem in check.problems:
            print(f"    {problem}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {"name": c.name, "passed": c.passed, "problems": c.problems, "counted": c.counted}
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
