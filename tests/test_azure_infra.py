"""The Azure flavour: it generates without AWS or GCP files, and its Terraform holds up offline through the
same tools/infra_check.py as the GCP flavour's."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from combinations import AZURE_COMBINATIONS, MODULES, only
from conftest import TEMPLATE_DIR, Bake, bake
from infra_support import aws_functions, copy_of, infra_check, install_commands, make_package, parsed

from local_extensions import load_manifest, log_table_days, ncrontab
from tools import provider_schema

PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
SCHEMA = "infra-azure/schema/azurerm-4.55.0.json"

_BAKED: dict[str, Bake] = {}


@pytest.fixture(params=AZURE_COMBINATIONS, ids=[case[0] for case in AZURE_COMBINATIONS])
def azure_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Bake:
    """Generate each Azure combination once per test process."""
    case_id, answers = request.param
    if case_id not in _BAKED:
        _BAKED[case_id] = bake(tmp_path_factory.mktemp(case_id), answers)
    result = _BAKED[case_id]
    assert result.returncode == 0, result.output
    return result


def other_cloud_paths(manifest: dict[str, Any], cloud: str, package: str) -> list[str]:
    """The files another cloud names that Azure does not name too (tools/infra_check.py is both's)."""
    azure = set(manifest["providers"]["azure"]["files"])
    return [path.format(package=package) for path in manifest["providers"][cloud]["files"] if path not in azure]


def test_azure_generates_without_a_warning_and_names_its_own_next_steps(
    azure_project: Bake, manifest: dict[str, Any]
) -> None:
    assert manifest["providers"]["azure"]["status"] == "available"
    assert "Warning" not in azure_project.output and "in progress" not in azure_project.output
    steps = azure_project.output.split("Next:")[1]
    assert [line.split()[1] for line in steps.splitlines() if line.startswith("  make ")] == [
        "install", "test", "audit", "package", "deploy"
    ]
    assert "osls" not in steps and "DRY_RUN=1" in steps


def test_azure_project_holds_no_aws_or_gcp_file(azure_project: Bake, manifest: dict[str, Any]) -> None:
    package = next(p.name for p in (azure_project.project / "src").iterdir())
    present = [path for cloud in ("aws", "gcp") for path in other_cloud_paths(manifest, cloud, package)
               if path != "infra" and (azure_project.project / path).exists()]
    assert present == []
    # infra/ is Azure's (moved from infra-azure/), with no GCP Terraform left in it.
    assert not (azure_project.project / "infra-azure").exists()
    assert not list((azure_project.project / "infra").rglob("*google*"))
    # The checker both Terraform flavours name stays (the chosen provider names it too).
    assert (azure_project.project / "tools" / "infra_check.py").is_file()
    assert (azure_project.project / "tools" / "infra_controls_azure.py").is_file()
    assert not (azure_project.project / "tools" / "infra_controls_gcp.py").exists()


def test_aws_and_gcp_projects_hold_no_azure_file(tmp_path: Path) -> None:
    for cloud, answers in (("aws", {}), ("gcp", {"cloud_provider": "gcp", "region": "europe-west1"})):
        result = bake(tmp_path / cloud, answers)
        assert result.returncode == 0, result.output
        assert not (result.project / "infra-azure").exists(), cloud
        assert not (result.project / "tools" / "infra_controls_azure.py").exists(), cloud
        assert "Azure flavour" not in result.output, cloud
    assert (tmp_path / "gcp" / "casino-backend" / "infra" / "schema" / "google-6.50.0.json").is_file()


def test_every_jurisdiction_with_an_aws_region_rule_has_one_for_azure(manifest: dict[str, Any]) -> None:
    for name, rule in manifest["jurisdictions"].items():
        if "aws" in rule["allowed_regions"]:
            assert rule["allowed_regions"].get("azure"), name
        warning = rule.get("residency", {}).get("transfer_warning")
        if warning and "aws" in warning["regions"]:
            assert warning["regions"].get("azure"), name


def test_azure_regions_are_refused_outside_the_jurisdiction(tmp_path: Path) -> None:
    result = bake(tmp_path, {"cloud_provider": "azure", "jurisdiction": "mga", "region": "eastus"})
    assert result.returncode == 1
    assert "- region:" in result.output and "westeurope" in result.output
    assert list(tmp_path.iterdir()) == []


# ---- infra/: the Terraform, checked offline (tools/infra_check.py of the generated project).


def test_make_install_installs_the_azure_sdks_and_azurite_the_tests_use(azure_project: Bake) -> None:
    """The Azure tests import the Azure SDKs and run on Azurite: `make install` installs both, from locks."""
    commands = install_commands(azure_project.project)
    assert "--require-hashes -r requirements-dev.txt -r requirements-azure.txt" in commands, commands
    assert "cd tools/azurite && npm ci" in commands, commands


def test_azure_infra_has_one_terraform_module_per_chosen_module(azure_project: Bake) -> None:
    answers = json.loads((azure_project.project / ".cookiecutter.json").read_text(encoding="utf-8"))
    chosen = sorted(name for name in MODULES if answers[f"module_{name}"])
    assert sorted(p.name for p in (azure_project.project / "infra" / "modules").iterdir()) == chosen
    calls = parsed(azure_project.project)["infra/modules.tf"].get("module", [])
    assert sorted(name for call in calls for name in call) == chosen
    versions = (azure_project.project / "infra" / "versions.tf").read_text(encoding="utf-8")
    assert re.search(r'source\s*=\s*"hashicorp/azurerm"\s*\n\s*version\s*=\s*"4\.55\.0"', versions)
    # A partial backend: make deploy fills in the stage's state (-backend-config), so each stage keeps its own.
    assert re.search(r'^  backend "azurerm" {}$', versions, re.MULTILINE), versions



@pytest.mark.skipif(not os.environ.get("TEMPLATE_AZURE_PYTHON"), reason="TEMPLATE_AZURE_PYTHON is set by make test")
def test_each_azure_combination_packages_its_function_apps(azure_project: Bake) -> None:
    """`make package` writes one zip per built function app, each as one-deploy takes it."""
    archives, output = make_package(azure_project.project, os.environ["TEMPLATE_AZURE_PYTHON"], ".build/azure")
    print(output)
    assert {"api.zip", "audit.zip"} <= set(archives), sorted(archives)
    for name, entries in archives.items():
        assert {"function_app.py", "host.json", "requirements.txt"} <= entries, (name, sorted(entries)[:10])


def test_azure_infra_passes_its_offline_checks(azure_project: Bake) -> None:
    code, output, results = infra_check(azure_project.project)
    print(output)
    assert code == 0, output
    by_name = {result["name"]: result for result in results}
    assert set(by_name) == {"fmt", "parse", "references", "schema", "controls", "checkov"}
    assert by_name["checkov"]["counted"]["failed"] == 0
    # A floor the smallest combination (sessions only: the core and one module app) passes too.
    assert by_name["checkov"]["counted"]["passed"] > 60
    assert by_name["schema"]["counted"]["names"] > 250
    # The API, the audit trail, and one app per module with functions (responsible gaming and the operator
    # wallet have none: their routes are the API's).
    answers = json.loads((azure_project.project / ".cookiecutter.json").read_text(encoding="utf-8"))
    without_apps = ("responsible_gaming", "operator_wallet")
    with_apps = [name for name in MODULES if answers[f"module_{name}"] and name not in without_apps]
    assert by_name["controls"]["counted"]["function_apps"] == 2 + len(with_apps)


def edit(infra: Path, edits: dict[str, list[tuple[str, str]]]) -> None:
    for name, replacements in edits.items():
        path = infra / name
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, (name, old)
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")


def test_azure_infra_check_names_each_injected_weakness(tmp_path: Path) -> None:
    """Each control, the schema check and fmt fail on a weakened copy, naming what is wrong."""
    result = bake(tmp_path / "out", {"cloud_provider": "azure", "region": "westeurope"})
    assert result.returncode == 0, result.output
    project = copy_of(result.project, tmp_path)
    poison = ('resource "azurerm_storage_queue" "poison" {\n  for_each = local.queues\n\n'
              '  name               = "${each.value}-poison"\n  storage_account_id = var.platform.data_storage_id\n}\n')
    dead_letters = ("  storage_blob_dead_letter_destination {\n"
                    "    storage_account_id          = var.platform.data_storage_id\n"
                    "    storage_blob_container_name = var.platform.dead_letter_container\n  }\n")
    edit(project / "infra", {
        "blocks/function_app/main.tf": [
            ("  https_only                                     = true",
             "  https_only                                     = false"),
            ('    minimum_tls_version                    = "1.2"',
             '    minimum_tls_version                    = "1.0"'),
            ('    type         = "UserAssigned"\n    identity_ids = [azurerm_user_assigned_identity.app.id]',
             '    type         = "SystemAssigned"\n    identity_ids = [azurerm_user_assigned_identity.app.id]'),
            ("    require_authentication = true", "    require_authentication = false"),
            ("      allowed_origins     = local.http ? var.platform.cors_origins : []",
             '      allowed_origins     = ["*"]'),
            (poison, ""),
            (dead_letters, ""),
            ('    default_provider       = "players"\n',
             '    default_provider       = "players"\n    excluded_paths         = ["/wallet/deposits"]\n'),
            ("        allowed_applications            = local.server_client_ids\n", ""),
            ("local.schedules, local.server_caller_settings, {", "local.schedules, {"),
        ],
        "functions.tf": [('role = "EventGrid Data Sender"', 'role = "Contributor"')],
        "modules/sessions/main.tf": [("    sessions = { scope = azurerm_storage_table.sessions.resource_manager_id",
                                      "    sessions = { scope = var.platform.data_storage_id")],
        "modules/reporting/main.tf": [('schedule = "0 15 0 * * *"', 'schedule = "daily"'),
                                      ("delete_after_days = var.platform.retention_days",
                                       "delete_after_days = 3650")],
        # The ledger exports kept a year past the retention (the data account's one lifecycle policy).
        "modules/scheduled_jobs/main.tf": [("delete_after_days = var.platform.retention_days",
                                           "delete_after_days = var.platform.retention_days + 365")],
        "main.tf": [("  locked                                = local.lock_archive",
                     "  locked                                = false"),
                    ("  purge_protection_enabled      = true", "  purge_protection_enabled      = false"),
                    ('  queue_encryption_key_type = "Account"', '  queue_encryption_key_type = "Service"'),
                    ('  sku_name                      = "premium"', '  sku_name = "premium"')],
        "modules/wallet/main.tf": [("  content_type     =", "  content_typ      =")],
        "variables.tf": [('"game-server", "payment-provider"', '"game-server", "payments"')],
        "monitoring.tf": [('"azurerm_monitor_action_group" "alerts"', '"azurerm_monitor_action_groups" "x"'),
                          # Telemetry sent over the internet the apps' subnet cannot reach.
                          ('  ingestion_access_mode = "PrivateOnly"', '  ingestion_access_mode = "Open"'),
                          ("  internet_ingestion_enabled    = false", "  internet_ingestion_enabled    = true"),
                          ("    logs     = azurerm_log_analytics_workspace.casino.id\n", "")],
        "events.tf": [("  public_network_access_enabled = false", "  public_network_access_enabled = true"),
                      ('subresource_names              = ["topic"]', 'subresource_names              = ["topics"]')],
    })
    # Logs kept a quarter of the jurisdiction's 365 days, and the exceptions' table (an alert's) at the default.
    edit(project / "infra", {"monitoring.tf": [("  total_retention_in_days = 365", "  total_retention_in_days = 90"),
                                               ('"AppDependencies", "AppExceptions",', '"AppDependencies",')]})
    code, output, results = infra_check(project, "--no-checkov")
    assert code != 0, output
    problems = {result["name"]: "\n".join(result["problems"]) for result in results}
    expected = {
        "fmt": ["main.tf"],
        "schema": ["content_typ: not an argument or block of azurerm 4.55.0",
                   "azurerm_monitor_action_groups.x: unknown resource type"],
        "controls": ["https_only is not true", "minimum_tls_version '1.0', expected 1.2 or later",
                     "no user-assigned identity of its own", "authentication is not required",
                     "CORS allows any origin (*)", "broad role Contributor",
                     "scope ${var.platform.data_storage_id} is wider than one resource",
                     "no poison queue", "no storage_blob_dead_letter_destination",
                     "timer dailyReport has no NCRONTAB schedule ('daily')",
                     "lifecycle rule reports-retention: blobs, versions, snapshots not deleted after the retention",
                     "lifecycle rule exports-retention: blobs, versions, snapshots not deleted after the retention",
                     "locked False does not follow archive_lock_stages",
                     "purge_protection_enabled is not true",
                     "queue_encryption_key_type is not Account",
                     "excluded_paths ['/wallet/deposits'] skip App Service Authentication",
                     "no identity provider admits the server callers' applications only",
                     "the API's settings give no <CALLER>_CLIENT_IDS",
                     "wallet: variables.tf server_client_ids asks no payment-provider ids",
                     "application insights casino: internet_ingestion_enabled is not false",
                     "monitor private link scope casino: ingestion_access_mode 'Open', expected PrivateOnly",
                     "event grid topic events: public_network_access_enabled is not false",
                     "azurerm_eventgrid_topic.events: no private endpoint (topic) reaches it",
                     "log analytics workspace casino: not in an Azure Monitor private link scope"],
    }
    missed = [(check, text) for check, texts in expected.items() for text in texts if text not in problems[check]]
    short_logs = ("log table AppTraces: total_retention_in_days 90, under the 365 days required",
                  "log table AppExceptions: no azurerm_log_analytics_workspace_table keeps it 365 days")
    missed += [("controls", text) for text in short_logs if text not in problems["controls"]]
    assert missed == [], output
    # Each weakness is named by its control, and each control cites what it serves (tools/regulation.py).
    controls = next(result for result in results if result["name"] == "controls")["controls"]
    failed = {control["id"] for control in controls if not control["passed"]}
    assert failed == {"app-transport", "app-identity", "server-callers", "least-privilege-grants", "poison-queues",
                      "key-vault",
                      "storage-encryption", "audit-archive-lock", "lake-retention", "log-retention", "timer-schedules",
                      "private-egress"}, output
    assert all(len(control["cites"]) == 2 and control["cites"][1].startswith("GLI-19: ") for control in controls)


def test_a_log_table_retention_azurerm_refuses_fails_log_retention(tmp_path: Path) -> None:
    """Long enough is not enough: past 730 days azurerm takes whole years only, and refuses 1000 at plan."""
    result = bake(tmp_path / "out", {**only("sessions"), "cloud_provider": "azure", "region": "westeurope"})
    assert result.returncode == 0, result.output
    project = copy_of(result.project, tmp_path)
    edit(project / "infra", {"monitoring.tf": [("total_retention_in_days = 365", "total_retention_in_days = 1000")]})
    code, output, results = infra_check(project, "--no-checkov")
    assert code != 0, output
    controls = next(result for result in results if result["name"] == "controls")["controls"]
    assert {control["id"] for control in controls if not control["passed"]} == {"log-retention"}, output
    assert "log table AppTraces: total_retention_in_days 1000, which azurerm refuses" in output


def test_azure_no_wagering_control_names_the_wallet_put_back_into_a_hybrid_project(tmp_path: Path) -> None:
    """us-nj keeps wagering off public clouds: the hybrid project passes, and the hosted wallet's table, its
    role on it, a caller's key of the wallet and the wallet's code put back each fail no-wagering."""
    result = bake(tmp_path / "out", dict(AZURE_COMBINATIONS)["azure-usnj-eastus-hybrid"])
    assert result.returncode == 0, result.output
    project = copy_of(result.project, tmp_path)
    table = ('resource "azurerm_storage_table" "platform_events" {\n')
    edit(project / "infra", {
        "modules/operator_wallet/main.tf": [
            (table, 'resource "azurerm_storage_table" "wallet" {\n  name                 = "Wallet"\n'
                    '  storage_account_name = var.platform.data_storage_name\n}\n\n' + table),
            ('toset(["operator-platform", "operator-platform-previous"])',
             'toset(["operator-platform", "operator-platform-previous", "game-server"])'),
        ],
        "modules/promotions/main.tf": [
            ("}, { operator_wallet_key",
             '}, { wallet = { scope = "${var.platform.data_storage_id}/tableServices/default/tables/Wallet", '
             'role = "Storage Table Data Contributor" } }, { operator_wallet_key'),
        ],
    })
    package = next(path.parent for path in (project / "src").glob("*/__init__.py"))
    (package / "api" / "wallet.py").write_text('"""The hosted wallet\'s routes."""\n', encoding="utf-8")
    code, output, results = infra_check(project, "--no-checkov")
    assert code != 0, output
    controls = next(result for result in results if result["name"] == "controls")
    # server-callers too: variables.tf asks no game-server ids for the key put back.
    failed = {control["id"] for control in controls["controls"] if not control["passed"]}
    assert failed == {"no-wagering", "server-callers"}, output
    problems = "\n".join(controls["problems"])
    for text in ("table Wallet (operator_wallet): the table of wallet",
                 "module app (promotions): a role or a setting on Wallet, the table of wallet",
                 "operator_wallet: the signing key of game-server, a server caller of wallet",
                 f"src/{package.name}/api/wallet.py: code of wallet"):
        assert text in problems, output


def test_checkov_finds_a_weakness_and_a_skip_without_its_reason(tmp_path: Path) -> None:
    result = bake(tmp_path / "out", {**only("sessions"), "cloud_provider": "azure", "region": "westeurope"})
    assert result.returncode == 0, result.output
    project = copy_of(result.project, tmp_path)
    main = project / "infra" / "main.tf"
    text = main.read_text(encoding="utf-8")
    reasoned = re.search(r"# checkov:skip=CKV_AZURE_206:[^\n]+", text)
    assert reasoned, "the storage accounts' replication skip carries its reason"
    text = text.replace(reasoned.group(0), "# checkov:skip=CKV_AZURE_206")
    text = text.replace("  purge_protection_enabled      = true", "  purge_protection_enabled      = false")
    main.write_text(text, encoding="utf-8")
    code, output, results = infra_check(project)
    assert code != 0, output
    found = next(r for r in results if r["name"] == "checkov")["problems"]
    assert any(p.startswith("CKV_AZURE_110 failed") for p in found), output
    assert any(p.startswith("CKV_AZURE_206 skipped") and "without a reason" in p for p in found), output


def azure_functions(project: Path) -> dict[str, tuple[str, str]]:
    """Each Azure function: its key (the AWS function's), its entry point and the Terraform file declaring it.

    A function app hosts several functions: each app's call of blocks/function_app lists them (`functions`).
    """
    found: dict[str, tuple[str, str]] = {}
    for path, document in parsed(project).items():
        for call in document.get("module", []):
            for body in call.values():
                if str(body["source"]).endswith("blocks/function_app") or "blocks/function_app" in str(body["source"]):
                    functions = body["functions"][0] if isinstance(body["functions"], list) else body["functions"]
                    for key, spec in functions.items():
                        found[key] = (spec["entry_point"], path)
    return found


# The Azure functions with no AWS function, by their module: the event stream into the data lake and the
# queues an operator re-runs another day's report or export on.
AZURE_ONLY = {"eventLake": "reporting", "reportRuns": "reporting", "jobRuns": "scheduled_jobs"}


def test_every_aws_function_has_its_azure_function_in_its_module(azure_project: Bake, tmp_path: Path) -> None:
    """The same functions as the AWS flavour, each in its module's Terraform, its entry point its handler.

    The entry point names are checked against the AWS handlers' module names (serverless.yml); the
    generated project's tests/azure/test_function_apps.py compares each app's code (its function index)
    with this Terraform, and names the functions whose code is not built yet.
    """
    aws = aws_functions(tmp_path, azure_project.answers)
    azure = azure_functions(azure_project.project)
    # Azure's own functions (AWS has Firehose for the event stream and takes a day in its invocations).
    azure_only = {key: owner for key, owner in AZURE_ONLY.items() if key in azure}
    assert sorted(set(azure) - set(azure_only)) == sorted(aws)
    for key, handler in aws.items():
        entry_point, path = azure[key]
        if key == "api":
            assert entry_point == "api" and path == "infra/functions.tf"
            continue
        assert handler.split("/")[-1] == f"{entry_point.replace('audit_archive', 'archive_audit_trail')}.handler", key
    owners = {worker["function"]: module for module, spec in load_manifest()["modules"].items()
              for worker in spec.get("workers", [])}
    owners.update({function: module for module, spec in load_manifest()["modules"].items()
                   for function in spec.get("functions", [])})
    owners.update(azure_only)
    for key, (_, path) in azure.items():
        expected = f"infra/modules/{owners[key]}/main.tf" if key in owners else "infra/functions.tf"
        assert path == expected, key


def test_committed_schema_is_the_pinned_provider_and_covers_every_type_used() -> None:
    schema = json.loads((PROJECT_TEMPLATE / SCHEMA).read_text(encoding="utf-8"))
    assert schema["version"] == "4.55.0"
    assert schema["provider"] == "hashicorp/azurerm"
    assert re.fullmatch(r"[0-9a-f]{64}", schema["extracted_from"]["wheel_sha256"])
    used = provider_schema.used_types("azurerm")
    assert sorted(schema["resources"]) == sorted(used["resources"])
    assert sorted(schema["data_sources"]) == sorted(used["data_sources"])
    app = schema["resources"]["azurerm_function_app_flex_consumption"]
    assert {"site_config", "identity", "auth_settings_v2"} <= set(app["blocks"])
    assert "cors" in app["blocks"]["site_config"]["blocks"]
    assert {"https_only", "storage_authentication_type"} <= set(app["arguments"])


@pytest.mark.skipif(not os.environ.get("TEMPLATE_AZURE_SCHEMA_WHEEL"),
                    reason="TEMPLATE_AZURE_SCHEMA_WHEEL (the cdktf-cdktf-provider-azurerm 14.23.1 wheel) is not set")
def test_schema_regenerates_from_the_wheel_as_committed() -> None:
    wheel = Path(os.environ["TEMPLATE_AZURE_SCHEMA_WHEEL"])
    regenerated = provider_schema.extract("azurerm", wheel, provider_schema.used_types("azurerm"))
    committed = json.loads((PROJECT_TEMPLATE / SCHEMA).read_text(encoding="utf-8"))
    assert regenerated == committed


@pytest.mark.parametrize(("schedule", "expression"), [
    ("rate(1 hour)", "0 0 */1 * * *"),
    ("rate(15 minutes)", "0 */15 * * * *"),
    ("cron(15 0 * * ? *)", "0 15 0 * * *"),
])
def test_aws_schedules_become_ncrontab(schedule: str, expression: str) -> None:
    assert ncrontab(schedule) == expression


@pytest.mark.parametrize(("days", "total"), [(365, 365), (730, 730), (1827, 2191), (3653, 3653), (5000, 4383)])
def test_log_retention_becomes_a_total_retention_azurerm_takes(days: int, total: int) -> None:
    """azurerm takes a table's total retention as 4-730 days or whole years up to 12: never shorter."""
    assert log_table_days(days) == total


def test_azure_names_fit_their_limits_with_the_longest_slug_and_stage(azure_project: Bake) -> None:
    """Key Vault and storage account names are at most 24 characters, function apps 60, with a 7-letter stage."""
    main = (azure_project.project / "infra" / "main.tf").read_text(encoding="utf-8")
    stage = "staging"
    vault = re.search(r'name\s*=\s*"kv-([a-z0-9]+)-\$\{var\.stage\}"', main)
    storage = re.search(r'storage_prefix\s*=\s*"([a-z0-9]+)\$\{var\.stage\}"', main)
    prefix = re.search(r'\bprefix\s*=\s*"([a-z0-9-]+)-\$\{var\.stage\}"', main)
    assert vault and storage and prefix, "the names' patterns of infra/main.tf"
    assert len(f"kv-{vault.group(1)}-{stage}") <= 24
    assert len(f"{storage.group(1)}{stage}d") <= 24
    assert len(f"{prefix.group(1)}-{stage}-notifications") <= 60


def one(value: Any) -> Any:
    """An argument's value (hcl2 wraps some in a list)."""
    return value[0] if isinstance(value, list) else value


def test_the_outbox_relay_is_a_timer_with_its_own_poison_queue_and_local_delivery_reads_the_terraform(
    azure_project: Bake,
) -> None:
    """The wallet's relay runs on a schedule (no change feed on Table Storage) and dead-letters to a queue of its
    own; the local Event Grid delivers to exactly the queues and event types the Terraform subscribes."""
    project = azure_project.project
    documents = parsed(project)
    expected: dict[str, list[str]] = {}
    for path, document in documents.items():
        for call in document.get("module", []):
            for body in call.values():
                if "blocks/function_app" not in str(body["source"]):
                    continue
                functions = body["functions"][0] if isinstance(body["functions"], list) else body["functions"]
                for key, spec in functions.items():
                    if spec["trigger"] == "queue" and spec.get("event_types"):
                        expected[f"{one(body['app'])}-{key.lower()}"] = sorted(spec["event_types"])
                if one(body["app"]) == "wallet":
                    assert functions["walletOutbox"]["trigger"] == "timer", path
                    assert functions["walletOutbox"]["schedule"] == "*/10 * * * * *", path
                    assert one(body["grants"])["dead_letters"]["role"] == "Storage Queue Data Message Sender", path
    wallet = "infra/modules/wallet/main.tf"
    if wallet in documents:
        queues = [q for r in documents[wallet].get("resource", []) for q in r.get("azurerm_storage_queue", {}).values()]
        names = [one(q["name"]) for q in queues]
        assert names == ["wallet-outbox-poison"]
    assert json.loads((project / "host.json").read_text())["extensions"]["queues"]["maxDequeueCount"] == 5
    python = os.environ.get("TEMPLATE_AZURE_PYTHON")
    if not python:
        pytest.fail("TEMPLATE_AZURE_PYTHON is not set: the local delivery's subscriptions need the Azure environment")
    code = ("import json; from tools.azure.event_grid import subscriptions; "
            "print(json.dumps({queue: sorted(types) for queue, types in subscriptions().items()}))")
    result = subprocess.run([python, "-c", code], cwd=project, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": f"{project}{os.pathsep}{project / 'src'}"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected
