"""The GCP flavour: it generates without AWS files, and its Terraform holds up offline."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from combinations import GCP_COMBINATIONS, LONGEST_SLUG, MODULES, only
from conftest import TEMPLATE_DIR, Bake, bake, failures_of
from infra_support import aws_functions, copy_of, infra_check, install_commands, make_package, parsed

from local_extensions import load_manifest, unix_cron
from tools import provider_schema

PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"

_BAKED: dict[str, Bake] = {}


@pytest.fixture(params=GCP_COMBINATIONS, ids=[case[0] for case in GCP_COMBINATIONS])
def gcp_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Bake:
    """Generate each GCP combination once per test process."""
    case_id, answers = request.param
    if case_id not in _BAKED:
        _BAKED[case_id] = bake(tmp_path_factory.mktemp(case_id), answers)
    result = _BAKED[case_id]
    assert result.returncode == 0, result.output
    return result


def aws_paths(manifest: dict[str, Any], package: str) -> list[str]:
    return [path.format(package=package) for path in manifest["providers"]["aws"]["files"]]


def test_gcp_generates_without_a_warning_and_names_its_own_next_steps(
    gcp_project: Bake, manifest: dict[str, Any]
) -> None:
    assert manifest["providers"]["gcp"]["status"] == "available"
    assert "Warning" not in gcp_project.output and "in progress" not in gcp_project.output
    steps = gcp_project.output.split("Next:")[1]
    assert [line.split()[1] for line in steps.splitlines() if line.startswith("  make ")] == [
        "install", "test", "audit", "package", "deploy"
    ]
    assert "osls" not in steps and "DRY_RUN=1" in steps


def test_gcp_project_holds_no_aws_file(gcp_project: Bake, manifest: dict[str, Any]) -> None:
    package = next(p.name for p in (gcp_project.project / "src").iterdir())
    present = [path for path in aws_paths(manifest, package) if (gcp_project.project / path).exists()]
    assert present == []


def test_aws_project_keeps_its_files_and_holds_no_gcp_file(tmp_path: Path, manifest: dict[str, Any]) -> None:
    """The same pruning the other way round: an AWS project keeps serverless.yml and loses infra/."""
    result = bake(tmp_path, {})
    assert result.returncode == 0, result.output
    assert (result.project / "serverless.yml").is_file()
    # The modules' AWS adapters, now also named by providers.aws.files, stay in an AWS project.
    assert (result.project / "src" / "casino_backend" / "adapters" / "dynamodb_wallet.py").is_file()
    assert "GCP flavour" not in result.output
    gcp = [path.format(package="casino_backend") for path in manifest["providers"]["gcp"]["files"]]
    assert [path for path in gcp if (result.project / path).exists()] == []


def test_every_jurisdiction_with_an_aws_region_rule_has_one_for_gcp(manifest: dict[str, Any]) -> None:
    for name, rule in manifest["jurisdictions"].items():
        if "aws" in rule["allowed_regions"]:
            assert rule["allowed_regions"].get("gcp"), name
        warning = rule.get("residency", {}).get("transfer_warning")
        if warning and "aws" in warning["regions"]:
            assert warning["regions"].get("gcp"), name


def test_gcp_regions_are_refused_outside_the_jurisdiction(tmp_path: Path) -> None:
    result = bake(tmp_path, {"cloud_provider": "gcp", "jurisdiction": "mga", "region": "us-central1"})
    assert result.returncode == 1
    assert "- region:" in result.output and "europe-west1" in result.output
    assert list(tmp_path.iterdir()) == []


# ---- infra/: the Terraform, checked offline (tools/infra_check.py of the generated project).

SCHEMA = "infra/schema/google-6.50.0.json"
BETA_SCHEMA = "infra/schema/google-beta-6.50.0.json"


def test_make_install_installs_the_gcp_sdks_the_tests_import(gcp_project: Bake) -> None:
    """The GCP tests import google-cloud-firestore and -pubsub and run Cloud Storage on fake-gcs-server
    (requirements-gcp-dev.txt): `make install` puts them in the same .venv."""
    commands = install_commands(gcp_project.project)
    locks = "-r requirements-dev.txt -r requirements-gcp.txt -r requirements-gcp-dev.txt"
    assert f"--require-hashes {locks}" in commands, commands
    assert "gcloud" in commands, commands  # says how to get the emulators when gcloud is missing


def test_gcp_infra_has_one_terraform_module_per_chosen_module(gcp_project: Bake) -> None:
    answers = json.loads((gcp_project.project / ".cookiecutter.json").read_text(encoding="utf-8"))
    chosen = sorted(name for name in MODULES if answers[f"module_{name}"])
    assert sorted(p.name for p in (gcp_project.project / "infra" / "modules").iterdir()) == chosen
    calls = parsed(gcp_project.project)["infra/modules.tf"].get("module", [])
    assert sorted(name for call in calls for name in call) == chosen
    versions = (gcp_project.project / "infra" / "versions.tf").read_text(encoding="utf-8")
    assert re.search(r'version\s*=\s*"6\.50\.0"', versions)
    # A partial backend: make deploy fills in the stage's state (-backend-config), so each stage keeps its own.
    assert re.search(r'^  backend "gcs" {}$', versions, re.MULTILINE), versions


@pytest.mark.parametrize("with_checkov", [True], ids=["fmt-parse-schema-controls-checkov"])
def test_gcp_infra_passes_its_offline_checks(gcp_project: Bake, with_checkov: bool) -> None:
    code, output, results = infra_check(gcp_project.project)
    print(output)
    assert code == 0, output
    by_name = {result["name"]: result for result in results}
    assert set(by_name) == {"fmt", "parse", "references", "schema", "controls", "checkov"}
    assert by_name["checkov"]["counted"]["failed"] == 0
    # A floor that only the modules' resources reach (the smallest combination, sessions only, passes 82).
    assert by_name["checkov"]["counted"]["passed"] > 50
    assert by_name["schema"]["counted"]["names"] > 300


@pytest.mark.skipif(not os.environ.get("TEMPLATE_GCP_PYTHON"), reason="TEMPLATE_GCP_PYTHON is set by make test")
def test_each_gcp_combination_packages_its_functions(gcp_project: Bake) -> None:
    """`make package` writes one archive per function with a built entry point, under the object name
    infra/ deploys (<function>-<source_version>.zip), each with main.py and the runtime lock."""
    archives, output = make_package(gcp_project.project, os.environ["TEMPLATE_GCP_PYTHON"], ".build/gcp")
    print(output)
    assert {"api-0.zip", "auditTrail-0.zip"} <= set(archives), sorted(archives)
    for name, entries in archives.items():
        assert {"main.py", "requirements.txt"} <= entries, (name, sorted(entries)[:10])


def test_gcp_infra_check_names_each_injected_weakness(tmp_path: Path) -> None:
    """Each control, the schema check and fmt fail on a weakened copy, naming what is wrong."""
    result = bake(tmp_path / "out", {"cloud_provider": "gcp", "region": "europe-west1", "jurisdiction": "mga"})
    assert result.returncode == 0, result.output
    project = copy_of(result.project, tmp_path)
    infra = project / "infra"
    api_member = '  member  = "serviceAccount:${google_service_account.api'
    dead_letter_policy = ("  dead_letter_policy {\n    dead_letter_topic     = google_pubsub_topic.dead_letters.id\n"
                          "    max_delivery_attempts = 5\n  }\n")
    edits = {
        "main.tf": [('rotation_period = "7776000s"', 'rotation_period = "9000000s"'),
                    ('point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"',
                     'point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_DISABLED"'),
                    ("    is_locked        = local.lock_archive", "    is_locked        = false"),
                    ("    prevent_destroy = true", "    prevent_destroy = false"),
                    ('  retention = "604800s"\n\n  daily', '  retention = "8467200s"\n\n  daily')],
        "functions.tf": [(f'  role    = "roles/pubsub.publisher"\n{api_member}',
                          f'  role    = "roles/editor"\n{api_member}'),
                         # The local run's Cloud Storage server handed to a deployed function.
                         ("    AUDIT_ARCHIVE_BUCKET = google_storage_bucket.audit_archive.name\n",
                          "    AUDIT_ARCHIVE_BUCKET  = google_storage_bucket.audit_archive.name\n"
                          '    STORAGE_EMULATOR_HOST = "127.0.0.1:9023"\n')],
        "blocks/function/main.tf": [('ingress_settings               = "ALLOW_INTERNAL_ONLY"',
                                     'ingress_settings               = "ALLOW_ALL"'),
                                    # The local run's secrets handed to a deployed function.
                                    ('      FUNCTION_KEY = var.function\n      LOG_FORMAT   = "cloud-logging"',
                                     '      FUNCTION_KEY        = var.function\n      LOG_FORMAT          = '
                                     '"cloud-logging"\n      LOCAL_SECRET_VALUES = "{}"')],
        # The edge: a player route without a token, an invoker beside the gateway, a google-beta typo.
        "gateway/openapi.yaml.tftpl": [("      operationId: getBalance\n      security:\n        - playerJwt: []",
                                        "      operationId: getBalance\n      security: []")],
        "gateway.tf": [('  member   = "serviceAccount:${google_service_account.gateway.email}"',
                        '  member   = "group:players@example.com"'),
                       ("  api_config_id_prefix =", "  api_config_prefix    =")],
        "blocks/worker/main.tf": [(dead_letter_policy, ""),
                                  ("  member  = var.pubsub_service_agent\n}", '  member  = "allUsers"\n}')],
        "modules/wallet/main.tf": [("        customer_managed_encryption {", "        customer_managed_encryptio {")],
        "events.tf": [("  message_storage_policy {\n    allowed_persistence_regions = [var.region]\n  }\n\n"
                       "  depends_on", "  depends_on"),
                      ("  project                    = var.project_id\n  name                       = "
                       '"${local.prefix}-${each.value}-events"',
                       "  project = var.project_id\n  name = \"${local.prefix}-${each.value}-events\"")],
        "monitoring.tf": [('"google_logging_metric" "function_errors"', '"google_logging_metrics" "x"'),
                          # Logs kept Cloud Logging's default 30 days, not Malta's five years.
                          ("  retention_days = 1827\n", "  retention_days = 30\n")],
        # Ledger exports kept live only (noncurrent versions forever), the event table's partitions forever.
        "modules/scheduled_jobs/main.tf": [('      with_state = "ANY"', '      with_state = "LIVE"')],
        "modules/reporting/main.tf": [("    expiration_ms = var.platform.retention_days * 86400000\n", "")],
    }
    for name, replacements in edits.items():
        path = infra / name
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, (name, old)
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
    code, output, results = infra_check(project, "--no-checkov")
    assert code != 0, output
    problems = {result["name"]: "\n".join(result["problems"]) for result in results}
    expected = {
        "fmt": ["events.tf"],
        "schema": ["customer_managed_encryptio: not an argument or block of google 6.50.0",
                   "google_logging_metrics.x: unknown resource type",
                   "api_config_prefix: not an argument or block of google-beta 6.50.0"],
        "controls": ["rotation '9000000s' longer than 90 days", "no prevent_destroy",
                     "point_in_time_recovery_enablement is not POINT_IN_TIME_RECOVERY_ENABLED",
                     "function function: ingress 'ALLOW_ALL', expected 'ALLOW_INTERNAL_ONLY'",
                     "primitive role roles/editor", "GET /wallet: no token required",
                     "api function invoker group:players@example.com is not the gateway's account",
                     "no invoker grant to the gateway's account",
                     "subscription events: no dead_letter_policy", "public member allUsers",
                     "secret signing_keys: no customer-managed encryption",
                     "messages may be stored outside the region", "is_locked 'False' does not follow",
                     "backup schedule daily: retention '8467200s' is longer than a daily backup is kept",
                     "google_cloudfunctions2_function.function (main.tf): sets LOCAL_SECRET_VALUES",
                     "module audit_archive: sets STORAGE_EMULATOR_HOST",
                     "bucket exports: no lifecycle rule deletes its objects and noncurrent versions",
                     "table domain_events: partitions not deleted after the retention",
                     "log bucket _Default: retention_days 30, under the 1827 days required"],
    }
    missed = [(check, text) for check, texts in expected.items() for text in texts if text not in problems[check]]
    assert missed == [], output
    # Each weakness is named by its control, and each control cites what it serves (tools/regulation.py):
    # MGA's clauses for an MGA project, then GLI-19's.
    controls = next(result for result in results if result["name"] == "controls")["controls"]
    failed = {control["id"] for control in controls if not control["passed"]}
    assert failed == {"key-rotation", "firestore-recovery", "audit-archive-lock", "function-ingress",
                      "no-public-or-primitive-grant", "subscriptions-dead-letter", "secrets-encrypted",
                      "topics-in-region", "api-invoker-gateway-only", "gateway-routes-authenticated",
                      "no-local-run-variables", "storage-retention", "log-retention"}, output
    assert all(len(control["cites"]) == 2 and control["cites"][1].startswith("GLI-19: ") for control in controls)
    # The archive's lock cites the jurisdiction's retention rule (Malta's anti-money-laundering records rule).
    cited = {control["id"]: control["cites"][0] for control in controls}
    assert cited.pop("audit-archive-lock").startswith("Prevention of Money Laundering"), output
    # The log retention cites the template's policy for Malta (five years, as the records).
    assert cited.pop("log-retention").startswith("template policy: five years"), output
    assert all(text.startswith("MGA ") for text in cited.values()), cited


def test_gcp_infra_check_finds_wagering_put_back_in_a_hybrid_project(tmp_path: Path) -> None:
    """Where the law keeps wagering off public clouds (us-nj: the hybrid mode), the hosted wallet's route at
    the edge, its module call and its resources in infra/ each fail no-wagering-function, naming them."""
    result = bake(tmp_path / "out", dict(GCP_COMBINATIONS)["gcp-usnj-us-east4-hybrid"])
    assert result.returncode == 0, result.output
    project = copy_of(result.project, tmp_path)
    infra = project / "infra"
    gateway = infra / "gateway" / "openapi.yaml.tftpl"
    text = gateway.read_text(encoding="utf-8")
    assert "  /platform/events:\n" in text
    gateway.write_text(text.replace("  /platform/events:\n", "  /wallet/bets:\n    post:\n      operationId: placeBet\n"
                                    "      security:\n        - playerJwt: []\n      responses:\n        default: "
                                    "{description: bet}\n  /platform/events:\n", 1), encoding="utf-8")
    with (infra / "modules.tf").open("a", encoding="utf-8") as modules:
        modules.write('\nmodule "wallet" {\n  source   = "./modules/wallet"\n  platform = local.platform\n}\n')
    (infra / "modules" / "wallet").mkdir()
    (infra / "modules" / "wallet" / "main.tf").write_text(
        'resource "google_firestore_field" "outbox" {\n  project    = "p"\n  database   = "d"\n'
        '  collection = "ledger"\n  field      = "outbox"\n\n  index_config {}\n}\n', encoding="utf-8")

    code, output, results = infra_check(project, "--no-checkov")

    assert code != 0, output
    controls = next(result for result in results if result["name"] == "controls")["controls"]
    assert {control["id"] for control in controls if not control["passed"]} == {"no-wagering-function"}, output
    problems = "\n".join(next(result for result in results if result["name"] == "controls")["problems"])
    for text in ("module wallet: the Terraform of wallet, a wagering module",
                 "google_firestore_field.outbox (modules/wallet): a resource of a wagering module",
                 "POST /wallet/bets: a route of wallet"):
        assert text in problems, output


@pytest.mark.parametrize("case_id", ["gcp-usnj-us-east4-hybrid", "gcp-usnj-us-east4-sessions-only"])
def test_every_name_the_terraform_uses_is_declared_where_it_is_used(case_id: str, tmp_path: Path) -> None:
    """What `terraform validate` would refuse first, checked offline: each module, variable, local, resource and
    data source a folder's .tf files use is declared in that folder. The combinations that leave the most
    out (the hybrid mode's jobs without the ledger, sessions alone); names in strings and comments are text,
    and an undeclared one put in each kind of place is named."""
    result = bake(tmp_path / "out", dict(GCP_COMBINATIONS)[case_id])
    assert result.returncode == 0, result.output
    code, output, results = infra_check(result.project, "--no-checkov")
    assert next(check for check in results if check["name"] == "references")["problems"] == [], output
    project = copy_of(result.project, tmp_path)
    functions = project / "infra" / "functions.tf"
    text = functions.read_text(encoding="utf-8")
    functions.write_text(
        text + '\nresource "google_storage_bucket_iam_member" "undeclared" {\n'
        "  bucket = google_storage_bucket.nowhere.name\n"
        '  role   = "roles/storage.objectViewer (module.not_a_reference)"\n'
        '  member = "serviceAccount:${module.no_such_function.service_account_email}-${var.no_such_variable}"\n'
        "}\n",
        encoding="utf-8",
    )
    code, output, results = infra_check(project, "--no-checkov")
    assert code != 0, output
    problems = next(check for check in results if check["name"] == "references")["problems"]
    assert [problem.split(": ", 1)[1].split(" is ")[0] for problem in problems] == [
        "google_storage_bucket.nowhere", "module.no_such_function", "var.no_such_variable"
    ], output


def test_checkov_finds_a_weakness_and_a_skip_without_its_reason(tmp_path: Path) -> None:
    result = bake(tmp_path / "out", {**only("sessions"), "cloud_provider": "gcp", "region": "europe-west1"})
    assert result.returncode == 0, result.output
    project = copy_of(result.project, tmp_path)
    main = project / "infra" / "main.tf"
    text = main.read_text(encoding="utf-8")
    text = text.replace("# checkov:skip=CKV_GCP_62: this is the access-log bucket the other buckets log to; "
                        "logging it to itself would loop", "# checkov:skip=CKV_GCP_62")
    text = text.replace('rotation_period = "7776000s"', 'rotation_period = "31536000s"')
    main.write_text(text, encoding="utf-8")
    code, output, results = infra_check(project)
    assert code != 0, output
    found = next(r for r in results if r["name"] == "checkov")["problems"]
    assert any(p.startswith("CKV_GCP_43 failed") for p in found), output
    assert any(p.startswith("CKV_GCP_62 skipped") and "without a reason" in p for p in found), output


def gcp_functions(project: Path) -> dict[str, tuple[str, str]]:
    """Each GCP function: its key (the AWS function's), its entry point and the Terraform file declaring it."""
    found: dict[str, tuple[str, str]] = {}
    for path, document in parsed(project).items():
        for call in document.get("module", []):
            for body in call.values():
                if str(body["source"][0]).split("/")[-1] in ("worker", "job") and "function" in body:
                    found[body["function"][0]] = (body["entry_point"][0], path)
        for entry in document.get("resource", []):
            for body in entry.get("google_cloudfunctions2_function", {}).values():
                key = str(body["service_config"][0]["environment_variables"][0])
                match = re.search(r"FUNCTION_KEY['\"]?\s*[:=]\s*['\"](\w+)['\"]", key)
                if match:
                    found[match.group(1)] = (body["build_config"][0]["entry_point"][0], path)
    return found


def test_every_aws_function_has_its_gcp_function_in_its_module(gcp_project: Bake, tmp_path: Path) -> None:
    """The same functions as the AWS flavour, each in its module's Terraform, its entry point its handler.

    The entry point names are checked against the AWS handlers' module names (serverless.yml) here; the
    generated project's tests/gcp/test_entry_points.py checks them against main.py's targets.
    """
    aws = aws_functions(tmp_path, gcp_project.answers)
    gcp = gcp_functions(gcp_project.project)
    assert sorted(gcp) == sorted(aws)
    for key, handler in aws.items():
        entry_point, path = gcp[key]
        if key == "api":
            assert entry_point == "api" and path == "infra/functions.tf"
            continue
        assert handler.split("/")[-1] == f"{entry_point.replace('audit_archive', 'archive_audit_trail')}.handler", key
    owners = {worker["function"]: module for module, spec in load_manifest()["modules"].items()
              for worker in spec.get("workers", [])}
    owners.update({function: module for module, spec in load_manifest()["modules"].items()
                   for function in spec.get("functions", [])})
    for key, (_, path) in gcp.items():
        expected = f"infra/modules/{owners[key]}/main.tf" if key in owners else "infra/functions.tf"
        assert path == expected, key


def test_committed_schema_is_the_pinned_provider_and_covers_every_type_used() -> None:
    schema = json.loads((PROJECT_TEMPLATE / SCHEMA).read_text(encoding="utf-8"))
    assert schema["version"] == "6.50.0"
    assert re.fullmatch(r"[0-9a-f]{64}", schema["extracted_from"]["wheel_sha256"])
    used = provider_schema.used_types("google")
    assert sorted(schema["resources"]) == sorted(used["resources"])
    assert sorted(schema["data_sources"]) == sorted(used["data_sources"])
    function = schema["resources"]["google_cloudfunctions2_function"]
    assert {"build_config", "service_config", "event_trigger"} <= set(function["blocks"])
    assert "ingress_settings" in function["blocks"]["service_config"]["arguments"]


def test_committed_beta_schema_covers_exactly_the_blocks_that_name_google_beta() -> None:
    """google-beta's schema holds the API Gateway types, the only blocks that say `provider = google-beta`;
    google's holds none of them."""
    beta = json.loads((PROJECT_TEMPLATE / BETA_SCHEMA).read_text(encoding="utf-8"))
    google = json.loads((PROJECT_TEMPLATE / SCHEMA).read_text(encoding="utf-8"))
    assert (beta["provider"], beta["version"]) == ("hashicorp/google-beta", google["version"])
    used = provider_schema.used_types("google-beta")
    assert sorted(beta["resources"]) == sorted(used["resources"]) == [
        "google_api_gateway_api", "google_api_gateway_api_config", "google_api_gateway_gateway"]
    assert not set(beta["resources"]) & set(google["resources"])
    config = beta["resources"]["google_api_gateway_api_config"]
    assert "google_service_account" in config["blocks"]["gateway_config"]["blocks"]["backend_config"]["arguments"]


@pytest.mark.skipif(not os.environ.get("TEMPLATE_GCP_BETA_SCHEMA_WHEEL"),
                    reason="TEMPLATE_GCP_BETA_SCHEMA_WHEEL (cdktf-cdktf-provider-google-beta 16.12.1) is not set")
def test_beta_schema_regenerates_from_the_wheel_as_committed() -> None:
    wheel = Path(os.environ["TEMPLATE_GCP_BETA_SCHEMA_WHEEL"])
    regenerated = provider_schema.extract("google-beta", wheel, provider_schema.used_types("google-beta"))
    assert regenerated == json.loads((PROJECT_TEMPLATE / BETA_SCHEMA).read_text(encoding="utf-8"))


@pytest.mark.skipif(not os.environ.get("TEMPLATE_GCP_SCHEMA_WHEEL"),
                    reason="TEMPLATE_GCP_SCHEMA_WHEEL (the cdktf-cdktf-provider-google 16.12.1 wheel) is not set")
def test_schema_regenerates_from_the_wheel_as_committed(tmp_path: Path) -> None:
    wheel = Path(os.environ["TEMPLATE_GCP_SCHEMA_WHEEL"])
    regenerated = provider_schema.extract("google", wheel, provider_schema.used_types("google"))
    committed = json.loads((PROJECT_TEMPLATE / SCHEMA).read_text(encoding="utf-8"))
    assert regenerated == committed


@pytest.mark.parametrize(("schedule", "cron"), [
    ("rate(1 hour)", "0 */1 * * *"),
    ("rate(15 minutes)", "*/15 * * * *"),
    ("rate(1 day)", "0 0 */1 * *"),
    ("cron(30 0 * * ? *)", "30 0 * * *"),
])
def test_aws_schedules_become_unix_cron(schedule: str, cron: str) -> None:
    assert unix_cron(schedule) == cron


@pytest.mark.parametrize("schedule", ["cron(0 12 ? * MON-FRI *)", "cron(0 12 * * ? 2027)", "rate(2 weeks)"])
def test_schedules_cron_cannot_say_are_refused(schedule: str) -> None:
    with pytest.raises(ValueError, match="schedule"):
        unix_cron(schedule)


# The generated GCP project's tests that run on its GCP environment: its own (tests/gcp) and the shared
# wallet contract suites, which take Firestore as their real store there (tests/support/fixtures_gcp*.py).
GCP_PROJECT_TESTS = (
    "tests/gcp",
    "tests/contract/test_ledger_store_contract.py",
    "tests/contract/test_ledger_store_contract_with_sessions.py",
    "tests/contract/test_firestore_ledger_store_with_responsible_gaming.py",
    "tests/contract/test_notification_store_contract.py",
    "tests/contract/test_leaderboard_store_contract.py",
    "tests/contract/test_promotion_store_contract.py",
)


@pytest.mark.skipif(not os.environ.get("TEMPLATE_GCP_PYTHON"),
                    reason="TEMPLATE_GCP_PYTHON (the GCP environment `make install` builds) is not set")
def test_gcp_tests_pass_on_the_emulators_and_functions_framework(tmp_path: Path) -> None:
    """The generated project's GCP tests and the shared wallet contract suites, with its own conftest: the
    publisher on the gcloud Pub/Sub emulator, pushes answered by a functions-framework target, and every
    ledger contract test on the in-memory store and on Firestore (the gcloud Firestore emulator).

    They run on the environment `make install` builds from the project's dev and GCP locks (.venv-gcp,
    TEMPLATE_GCP_PYTHON). The shared conftest names no cloud: it loads tests/support/fixtures_gcp.py.
    """
    result = bake(tmp_path, {"cloud_provider": "gcp", "region": "europe-west1", "project_slug": LONGEST_SLUG})
    assert result.returncode == 0, result.output
    run = subprocess.run(
        [os.environ["TEMPLATE_GCP_PYTHON"], "-m", "pytest", *GCP_PROJECT_TESTS, "-v", "-p", "no:cacheprovider"],
        cwd=result.project, capture_output=True, text=True, check=False, timeout=900,
    )
    assert run.returncode == 0, failures_of(run.stdout + run.stderr)
    assert "SKIPPED" not in run.stdout, run.stdout
    for test in ("test_a_malformed_message_ends_in_the_dead_letter_topic", "test_a_functions_framework_target",
                 "test_every_money_operation_is_one_read_and_one_transaction",
                 "test_eight_clients_on_separate_players_keep_every_balance_equal_to_its_ledger",
                 "test_every_money_operation_with_player_protection_is_one_read_and_one_transaction",
                 "test_each_entry_reaches_the_topic_once_in_order_keyed_by_the_player",
                 "test_a_publisher_outage_leaves_entries_pending_until_the_sweep_publishes_each_once_in_effect",
                 "test_a_poison_entry_goes_to_the_dead_letters_with_its_path_and_the_next_entry_is_relayed",
                 "test_a_replayed_money_request_writes_no_entry_and_publishes_nothing",
                 "test_the_function_relays_trigger_and_scheduler_cloud_events_through_functions_framework",
                 "test_concurrent_takeovers_of_an_expired_claim_have_one_winner",
                 "test_concurrent_rewards_of_one_mission_window_have_one_winner",
                 "test_a_grant_moved_between_the_read_and_the_commit_fails_the_stake_whole",
                 # The functions' entry points through main.py and functions-framework, and their archives.
                 "test_every_function_of_infra_is_built_or_listed_as_not_built",
                 "test_the_api_function_signs_a_player_in_on_firestore",
                 "test_a_pushed_bet_is_acked_and_counted_once",
                 "test_a_pushed_critical_event_is_appended_once",
                 "test_a_pushed_event_is_told_to_the_player_once",
                 "test_each_archive_imports_its_entry_point_alone",
                 "test_the_runtime_lock_has_no_powertools_so_logs_and_metrics_do_without_it"):
        assert re.search(rf"{test}\S* PASSED", run.stdout), run.stdout
    # Every ledger contract test ran on Firestore and passed, none on DynamoDB (which a GCP project lacks).
    contract = (PROJECT_TEMPLATE / "tests/contract/test_ledger_store_contract.py").read_text()
    names = re.findall(r"^def (test_\w+)\(\s*ledger: LedgerStore", contract, re.MULTILINE)
    assert len(names) > 40, names
    for name in [*names, "test_concurrent_bets_wins_and_replays_keep_balance_equal_to_ledger",
                 "test_a_bet_in_the_players_active_session_is_written"]:
        assert re.search(rf"::{name}\[[^\]]*cloud[^\]]*\] PASSED", run.stdout), f"{name}[cloud]\n{run.stdout}"
    # Every store contract test of a module with a Firestore store ran on Firestore too and passed.
    for suite, fixture in (("test_notification_store_contract.py", "store: NotificationStore"),
                           ("test_leaderboard_store_contract.py", "boards: LeaderboardStore"),
                           ("test_promotion_store_contract.py", "promotions: PromotionStore")):
        text = (PROJECT_TEMPLATE / "tests/contract" / suite).read_text()
        names = re.findall(rf"^def (test_\w+)\(\s*{fixture}", text, re.MULTILINE)
        assert len(names) > 5, (suite, names)
        for name in names:
            assert re.search(rf"{suite}::{name}\[cloud\] PASSED", run.stdout), f"{suite}::{name}[cloud]"
    assert "dynamodb" not in run.stdout.lower(), run.stdout
