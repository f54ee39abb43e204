"""The Azure Terraform's own controls (tools/infra_check.py runs them): what checkov has no check for.

checkov has no check for `azurerm_function_app_flex_consumption` (HTTPS only, TLS, identity,
authentication, CORS), none for a role's scope (least privilege per app: Azure grants identity per app,
not per function), none for a queue's poison queue, an immutability policy's lock, a timer's schedule or a
log table's total retention.
Each control (CONTROLS, at the end) serves an area of tools/regulation.py.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from infra_check import Control, Resource, blocks, by_type, value
from tools.regulation import (
    AUTHENTICATION,
    COMMUNICATIONS,
    DELIVERY,
    ENCRYPTION,
    LEAST_PRIVILEGE,
    LOGGING,
    NETWORK,
    RECORDS,
    RESIDENCY,
    SECRETS,
    SYSTEM_INTEGRITY,
)

TLS_VERSIONS = ("1.2", "1.3")
UNAUTHENTICATED = ("Return401", "Return403")
# Roles that reach beyond one resource's data (management of everything, or of access itself).
BROAD_ROLES = (
    "Owner",
    "Contributor",
    "User Access Administrator",
    "Storage Account Contributor",
    "Key Vault Administrator",
    "Storage Blob Data Owner",
)
# Storage Blob Data Owner is the Functions host's role on the host account only (its leases and code).
HOST_ROLE = ("Storage Blob Data Owner", "host_storage_id")
# Scopes wider than one resource: the resource group, the subscription, the whole data account.
WIDE_SCOPES = re.compile(
    r"azurerm_resource_group\.|azurerm_subscription|^/subscriptions/[^/]+$|data_storage_id\}$|"
    r"azurerm_storage_account\.casino\[\"data\"\]\.id\}$"
)
# A grant inside an expression (merge(...) of maps), as python-hcl2 renders it: 'scope': '...', 'role': '...'.
GRANT = re.compile(r"'(\w+)': \{'scope': '([^']*)', 'role': '([^']*)'\}")
NCRONTAB = re.compile(r"^\S+( \S+){5}$")
MIN_SOFT_DELETE_DAYS = 90
# The containers kept for the jurisdiction's retention and then deleted, by their Terraform names: the GGR
# reports and the event lake (reporting), the ledger exports (scheduled jobs: personal and financial data).
LAKE_CONTAINERS = ("reports", "exports")
# A lifecycle rule's days: the jurisdiction's retention itself (main.tf's local, the modules' platform).
RETENTION = re.compile(r"^\$\{(var\.platform|local)\.retention_days\}$")
RULE_VALUE = re.compile(r"^\$\{rule\.(key|value\.(\w+))\}$")
CONTAINER_NAME = re.compile(r"\$\{azurerm_storage_container\.\w+\.name\}")
# What the apps call outside their subnet, by the private endpoint's subresource that must reach it.
PRIVATE_TARGETS = {"azurerm_eventgrid_topic": "topic", "azurerm_monitor_private_link_scope": "azuremonitor"}
# Resources that give the subnets internet egress (the apps call nothing that needs it).
EGRESS_TYPES = ("azurerm_nat_gateway", "azurerm_subnet_nat_gateway_association", "azurerm_public_ip")
# The jurisdiction's log retention (tools/jurisdiction.json, from manifest.yaml), at most the 4383 days
# (twelve years) a Log Analytics table keeps in total. azurerm takes a table's total retention as 4-730 days
# or one of these whole years, so days between them are rounded up to the next year (monitoring.tf).
_JURISDICTION = json.loads((Path(__file__).parent / "jurisdiction.json").read_text(encoding="utf-8"))
LOG_RETENTION_DAYS = min(int(_JURISDICTION["log_retention_days"]), 4383)
LOG_TABLE_YEARS = (1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383)
# Where the Functions host's OpenTelemetry export lands in workspace-based Application Insights: its
# requests, dependencies, logs and exceptions (the alerts' queries name theirs too: read from them).
APP_LOG_TABLES = ("AppTraces", "AppRequests", "AppDependencies", "AppExceptions")
QUERY_TABLE = re.compile(r"^\s*(\w+)\s*\|")
QUOTED_NAME = re.compile(r"['\"](\w+)['\"]")
PROJECT = Path(__file__).resolve().parents[1]
# What each wagering module deploys on Azure (the modules tools/jurisdiction.json's wagering_modules
# keeps off every public cloud region): its tables, its server callers' signing keys, and the code that
# moves money or guards bets (in src/ or in an app's archive of make package). The hosted wallet's pure
# domain and in-memory ledger stay in a hybrid project for its tests only, so they count in archives only.
WAGERING_TABLES: dict[str, tuple[str, ...]] = {"wallet": ("Wallet",), "responsible_gaming": ("Wallet",)}
WAGERING_CALLERS: dict[str, tuple[str, ...]] = {
    "wallet": ("payment-provider", "game-server"),
    "responsible_gaming": ("kyc-provider",),
}
WAGERING_CODE: dict[str, tuple[str, ...]] = {
    "wallet": (
        "api/wallet.py",
        "api/azure_wallet.py",
        "azure_apps/wallet.py",
        "adapters/table_wallet.py",
        "adapters/table_outbox.py",
    ),
    "responsible_gaming": (
        "api/responsible_gaming.py",
        "api/azure_responsible_gaming.py",
        "domain/responsible_gaming.py",
    ),
}
WAGERING_PACKAGED: dict[str, tuple[str, ...]] = {
    "wallet": ("domain/wallet.py", "adapters/memory_wallet.py"),
    "responsible_gaming": (),
}


def app_transport(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """HTTPS only, TLS 1.2+ for the app and its deployment endpoint, exact CORS without credentials."""
    for app in by_type(resources, "azurerm_function_app_flex_consumption"):
        where = f"function app {app.name} ({app.path.parent.name})"
        if value(app.body, "https_only") is not True:
            found.append(f"{where}: https_only is not true")
        site = blocks(app.body, "site_config")
        for key in ("minimum_tls_version", "scm_minimum_tls_version"):
            tls = str(value(site[0], key)) if site else "None"
            if tls not in TLS_VERSIONS:
                found.append(f"{where}: {key} {tls!r}, expected 1.2 or later")
        for cors in (c for s in site for c in blocks(s, "cors")):
            origins = json.dumps(value(cors, "allowed_origins"))
            if '"*"' in origins or "'*'" in origins:
                found.append(f"{where}: CORS allows any origin (*)")
            if value(cors, "support_credentials") is True:
                found.append(f"{where}: CORS sends credentials")


def app_identity(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """Its own user-assigned identity (for its storage too), no basic publishing credentials, and
    authentication required before the code."""
    for app in by_type(resources, "azurerm_function_app_flex_consumption"):
        where = f"function app {app.name} ({app.path.parent.name})"
        if value(app.body, "webdeploy_publish_basic_authentication_enabled") is not False:
            found.append(f"{where}: basic authentication for publishing is not off")
        if value(app.body, "storage_authentication_type") != "UserAssignedIdentity":
            found.append(f"{where}: host storage not reached with its user-assigned identity")
        identity = blocks(app.body, "identity")
        ids = json.dumps(value(identity[0], "identity_ids")) if identity else ""
        if (
            not identity
            or value(identity[0], "type") != "UserAssigned"
            or "azurerm_user_assigned_identity." not in ids
        ):
            found.append(f"{where}: no user-assigned identity of its own")
        auth = blocks(app.body, "auth_settings_v2")
        if (
            not auth
            or value(auth[0], "auth_enabled") is not True
            or value(auth[0], "require_authentication") is not True
        ):
            found.append(f"{where}: authentication is not required (auth_settings_v2)")
        elif value(auth[0], "unauthenticated_action") not in UNAUTHENTICATED:
            found.append(f"{where}: an unauthenticated call is not refused (unauthenticated_action)")


def server_callers(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """The server callers' routes stay behind App Service Authentication (no excluded path), which admits
    their applications only; the Terraform asks each caller's client ids and gives them to the API."""
    apps = by_type(resources, "azurerm_function_app_flex_consumption")
    for app in apps:
        for auth in blocks(app.body, "auth_settings_v2"):
            excluded = value(auth, "excluded_paths")
            if excluded not in (None, []):
                found.append(
                    f"function app {app.name} ({app.path.parent.name}): excluded_paths {excluded} skip "
                    "App Service Authentication; keep every path authenticated"
                )
    keys = [
        secret
        for secret in by_type(resources, "azurerm_key_vault_secret")
        if secret.name == "signing_keys" or "signing key" in str(value(secret.body, "content_type"))
    ]
    if not keys or not apps:
        return
    providers = [
        provider
        for app in apps
        for auth in blocks(app.body, "auth_settings_v2")
        for provider in [
            *blocks(auth, "active_directory_v2"),
            *(
                content
                for dynamic in blocks(auth, "dynamic")
                for content in blocks(dynamic.get("active_directory_v2", {}), "content")
            ),
        ]
    ]
    if not any(value(p, "allowed_applications") not in (None, [], "") for p in providers):
        found.append(
            "no identity provider admits the server callers' applications only "
            "(auth_settings_v2 active_directory_v2 allowed_applications)"
        )
    block = apps[0].path
    infra = block.parents[2]
    asked = str(_terraform(infra / "variables.tf").get("variable", []))
    settings = [str(value(app.body, "app_settings")) for app in apps]
    client_settings = [
        name
        for entry in _terraform(block).get("locals", [])
        for name, expression in entry.items()
        if "_CLIENT_IDS" in str(expression)
    ]
    if not any(f"local.{name}" in text for name in client_settings for text in settings):
        found.append("the API's settings give no <CALLER>_CLIENT_IDS (blocks/function_app: app_settings)")
    for path in sorted({secret.path for secret in keys}):
        for caller in _signing_callers(path):
            if f"'{caller}'" not in asked and f'"{caller}"' not in asked:
                found.append(f"{path.parent.name}: variables.tf server_client_ids asks no {caller} ids")


def _terraform(path: Any) -> dict[str, Any]:
    """One .tf file as python-hcl2 reads it (the scanners' environment has it: a checkov dependency)."""
    import hcl2

    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = hcl2.load(handle)
    return document


def _signing_callers(path: Any) -> list[str]:
    """The callers whose signing keys a module file declares (local.signing_keys), previous keys aside."""
    names = [
        str(name)
        for entry in _terraform(path).get("locals", [])
        for name in re.findall(r"[\w-]+", str(value(entry, "signing_keys")))
        if name not in ("toset", "None")
    ]
    return [name for name in names if not name.endswith("-previous")]


def role_grants(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """Each role on one resource, never a broad role or the resource group, subscription or data account."""
    grants: list[tuple[str, str, str]] = [
        (
            f"role assignment {r.name} ({r.path.parent.name})",
            str(value(r.body, "role_definition_name")),
            str(value(r.body, "scope")),
        )
        for r in by_type(resources, "azurerm_role_assignment")
    ]
    for module in modules:
        given = value(module, "grants")
        if isinstance(given, dict):
            grants.extend(
                (
                    f"module {module['name']} grant {key}",
                    str(value(grant, "role")),
                    str(value(grant, "scope")),
                )
                for key, grant in given.items()
                if isinstance(grant, dict)
            )
        elif given is not None:
            grants.extend(
                (f"module {module['name']} grant {key}", role, scope)
                for key, scope, role in GRANT.findall(str(given))
            )
    for where, role, scope in grants:
        if role in BROAD_ROLES and not (role == HOST_ROLE[0] and HOST_ROLE[1] in scope):
            found.append(f"{where}: broad role {role}")
        if WIDE_SCOPES.search(scope):
            found.append(f"{where}: scope {scope} is wider than one resource")


def queues(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """Each work queue has its poison queue; each Event Grid subscription dead-letters and retries."""
    for work in by_type(resources, "azurerm_storage_queue"):
        if work.name == "poison":
            continue
        poison = [
            q
            for q in by_type(resources, "azurerm_storage_queue")
            if q.path == work.path and str(value(q.body, "name")).endswith("-poison")
        ]
        if not poison:
            found.append(f"queue {work.name} ({work.path.parent.name}): no poison queue")
    for subscription in by_type(resources, "azurerm_eventgrid_event_subscription"):
        for needed in ("storage_blob_dead_letter_destination", "retry_policy", "delivery_identity"):
            if not blocks(subscription.body, needed):
                found.append(f"event subscription {subscription.name}: no {needed}")


def key_vault(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """Key Vault: RBAC, purge protection, soft delete, no public network."""
    for vault in by_type(resources, "azurerm_key_vault"):
        for key, wanted in (
            ("rbac_authorization_enabled", True),
            ("purge_protection_enabled", True),
            ("public_network_access_enabled", False),
        ):
            if value(vault.body, key) is not wanted:
                found.append(f"key vault {vault.name}: {key} is not {str(wanted).lower()}")
        if int(value(vault.body, "soft_delete_retention_days") or 0) < MIN_SOFT_DELETE_DAYS:
            found.append(f"key vault {vault.name}: soft delete kept fewer than {MIN_SOFT_DELETE_DAYS} days")
        acls = blocks(vault.body, "network_acls")
        if not acls or value(acls[0], "default_action") != "Deny":
            found.append(f"key vault {vault.name}: network default action is not Deny")


def _names(listed: Any) -> list[str]:
    """A list argument's strings, however python-hcl2 nests it (["topic"] or [["topic"]])."""
    if isinstance(listed, list):
        return [name for item in listed for name in _names(item)]
    return [listed] if isinstance(listed, str) else []


def private_egress(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """The apps' subnets have no internet egress, so what they call has a private endpoint: the Event Grid
    topic (public access off) and Azure Monitor's private link scope (ingestion private only) holding
    Application Insights and the workspace (internet ingestion off), or the alerts see no telemetry."""
    for subnet in by_type(resources, "azurerm_subnet"):
        if value(subnet.body, "default_outbound_access_enabled") is not False:
            found.append(f"subnet {subnet.name}: default_outbound_access_enabled is not false")
    found.extend(
        f"{kind} {egress.name}: internet egress for the apps' subnets (they call nothing outside the network)"
        for kind in EGRESS_TYPES
        for egress in by_type(resources, kind)
    )
    for topic in by_type(resources, "azurerm_eventgrid_topic"):
        if value(topic.body, "public_network_access_enabled") is not False:
            found.append(f"event grid topic {topic.name}: public_network_access_enabled is not false")
    # A scoped service names its resource in linked_resource_id, or in its for_each map (main.tf's style).
    scoped = " ".join(
        f"{value(service.body, 'linked_resource_id')} {value(service.body, 'for_each')}"
        for service in by_type(resources, "azurerm_monitor_private_link_scoped_service")
    )
    for kind, label in (
        ("azurerm_application_insights", "application insights"),
        ("azurerm_log_analytics_workspace", "log analytics workspace"),
    ):
        for component in by_type(resources, kind):
            if value(component.body, "internet_ingestion_enabled") is not False:
                found.append(f"{label} {component.name}: internet_ingestion_enabled is not false")
            if f"{kind}.{component.name}.id" not in scoped:
                found.append(f"{label} {component.name}: not in an Azure Monitor private link scope")
    scopes = by_type(resources, "azurerm_monitor_private_link_scope")
    if not scopes:
        found.append("no azurerm_monitor_private_link_scope: telemetry has no route from the apps' subnets")
    for scope in scopes:
        mode = value(scope.body, "ingestion_access_mode")
        if mode != "PrivateOnly":
            where = f"monitor private link scope {scope.name}"
            found.append(f"{where}: ingestion_access_mode {mode!r}, expected PrivateOnly")
    endpoints = [
        (value(connection, "private_connection_resource_id"), _names(connection.get("subresource_names")))
        for endpoint in by_type(resources, "azurerm_private_endpoint")
        for connection in blocks(endpoint.body, "private_service_connection")
    ]
    for kind, subresource in PRIVATE_TARGETS.items():
        for target in by_type(resources, kind):
            reference = "${" + f"{kind}.{target.name}.id" + "}"
            if not any(ref == reference and subresource in names for ref, names in endpoints):
                found.append(f"{kind}.{target.name}: no private endpoint ({subresource}) reaches it")


def storage_encryption(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """Every storage account: a customer-managed key, for its queues and tables too; no shared keys."""
    for account in by_type(resources, "azurerm_storage_account"):
        if not blocks(account.body, "customer_managed_key"):
            found.append(f"storage account {account.name}: no customer-managed key")
        for key in ("queue_encryption_key_type", "table_encryption_key_type"):
            if value(account.body, key) != "Account":
                found.append(
                    f"storage account {account.name}: {key} is not Account (the customer-managed key)"
                )
        if value(account.body, "shared_access_key_enabled") is not False:
            found.append(f"storage account {account.name}: shared keys are not off")


def audit_archive(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """The audit archive's immutability policy: the jurisdiction's retention, locked where asked."""
    policies = [
        p
        for p in by_type(resources, "azurerm_storage_container_immutability_policy")
        if p.name == "audit_archive"
    ]
    if not policies:
        found.append("audit archive: no immutability policy")
        return
    policy = policies[0].body
    if "lock_archive" not in str(value(policy, "locked")):
        found.append(f"audit archive: locked {value(policy, 'locked')!r} does not follow archive_lock_stages")
    if "retention_days" not in str(value(policy, "immutability_period_in_days")):
        found.append("audit archive: immutability period is not the jurisdiction's retention")


def _account(storage_account_id: Any) -> str:
    """Which storage account a reference names: the core's data or host account, else the reference."""
    text = str(storage_account_id)
    for kind in ("data", "host"):
        if f"{kind}_storage_id" in text or f'casino["{kind}"]' in text:
            return kind
    return text


def _module_rules(policy: Resource, resources: list[Resource], modules: list[dict[str, Any]]) -> list[Any]:
    """The rules the policy's file gathers in local.lifecycle_rules: each named module's lifecycle_rules
    output, its container references read as the containers' names."""
    gathered = " ".join(
        str(value(entry, "lifecycle_rules")) for entry in _terraform(policy.path).get("locals", [])
    )
    named = set(re.findall(r"module\.(\w+)\.lifecycle_rules", gathered))
    rules: list[Any] = []
    for call in (m for m in modules if m["name"] in named and m["path"].parent == policy.path.parent):
        folder = (call["path"].parent / str(value(call, "source"))).resolve()
        containers = {
            "${azurerm_storage_container." + r.name + ".name}": str(value(r.body, "name"))
            for r in by_type(resources, "azurerm_storage_container")
            if r.path.parent.resolve() == folder
        }
        for path in sorted(folder.glob("*.tf")):
            for output in _terraform(path).get("output", []):
                entries = value(output.get("lifecycle_rules", {}), "value")
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict):
                        prefix = str(entry.get("prefix"))
                        for reference in CONTAINER_NAME.findall(prefix):
                            prefix = prefix.replace(reference, containers.get(reference, reference))
                        rules.append({**entry, "prefix": prefix})
    return rules


def _filled(content: Any, entry: dict[str, Any]) -> Any:
    """A dynamic block's content for one entry of its for_each: rule.key and rule.value.<x> replaced."""
    if isinstance(content, dict):
        return {key: _filled(item, entry) for key, item in content.items()}
    if isinstance(content, list):
        return [_filled(item, entry) for item in content]
    found = RULE_VALUE.match(content) if isinstance(content, str) else None
    if found is None:
        return content
    return entry.get("name") if found[1] == "key" else entry.get(found[2])


def _policy_rules(policy: Resource, resources: list[Resource], modules: list[dict[str, Any]]) -> list[Any]:
    """A policy's rules as Terraform makes them: its rule blocks, its dynamic "rule" once per module rule."""
    rules: list[Any] = blocks(policy.body, "rule")
    contents = [c for d in blocks(policy.body, "dynamic") for c in blocks(d.get("rule", {}), "content")]
    if contents:
        given = _module_rules(policy, resources, modules)
        rules.extend(_filled(content, entry) for entry in given for content in contents)
    return rules


def lake_retention(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """The reports, the event lake and the ledger exports, their versions and snapshots, are deleted after the
    jurisdiction's retention and not kept longer, by the one lifecycle policy of their account."""
    policies = by_type(resources, "azurerm_storage_management_policy")
    per_account: dict[str, list[str]] = {}
    for policy in policies:
        per_account.setdefault(_account(value(policy.body, "storage_account_id")), []).append(
            f"{policy.name} ({policy.path.parent.name})"
        )
    for account, named in per_account.items():
        if len(named) > 1:
            found.append(
                f"storage account {account}: {len(named)} lifecycle policies ({', '.join(named)}); Azure "
                "keeps one per account, the last applied replaces the others: give main.tf's policy the "
                "rules (a module's lifecycle_rules output)"
            )
    rules = [rule for policy in policies for rule in _policy_rules(policy, resources, modules)]
    for rule in rules:
        actions = blocks(rule, "actions")
        kept = [
            what
            for what, block, key in (
                ("blobs", "base_blob", "delete_after_days_since_creation_greater_than"),
                ("versions", "version", "delete_after_days_since_creation"),
                ("snapshots", "snapshot", "delete_after_days_since_creation_greater_than"),
            )
            if not any(
                RETENTION.match(str(value(deleted, key)))
                for action in actions
                for deleted in blocks(action, block)
            )
        ]
        if kept:
            found.append(
                f"lifecycle rule {value(rule, 'name')}: {', '.join(kept)} not deleted after the retention "
                "(exactly local.retention_days)"
            )
    covered = {
        str(prefix).rstrip("/")
        for rule in rules
        if value(rule, "enabled") is not False
        for filters in blocks(rule, "filters")
        for prefix in (value(filters, "prefix_match") or [])
    }
    for container in by_type(resources, "azurerm_storage_container"):
        if container.name in LAKE_CONTAINERS and value(container.body, "name") not in covered:
            found.append(
                f"container {value(container.body, 'name')}: no lifecycle rule deletes it after the retention"
            )


def _logged_tables(resources: list[Resource]) -> list[str]:
    """The workspace tables the project's logs land in: Application Insights' (and each alert query's
    table), and a Storage<Service>Logs table per storage service whose diagnostic setting sends there."""
    tables = list(APP_LOG_TABLES) if by_type(resources, "azurerm_application_insights") else []
    for setting in by_type(resources, "azurerm_monitor_diagnostic_setting"):
        target = str(value(setting.body, "target_resource_id"))
        if value(setting.body, "log_analytics_workspace_id") is None or "Services/default" not in target:
            continue
        services = re.findall(r"/(\w+)Services/default", target)
        if "each.value" in target:
            services = QUOTED_NAME.findall(str(value(setting.body, "for_each")))
        tables.extend(f"Storage{service.title()}Logs" for service in services)
    for rule in by_type(resources, "azurerm_monitor_scheduled_query_rules_alert_v2"):
        queries = [str(value(criteria, "query")) for criteria in blocks(rule.body, "criteria")]
        if any("each.value" in query for query in queries):
            named = re.findall(r"local\.(\w+)", str(value(rule.body, "for_each")))
            queries = [
                str(value(alert, "query"))
                for entry in _terraform(rule.path).get("locals", [])
                for name in named
                for alerts in [value(entry, name)]
                if isinstance(alerts, dict)
                for alert in alerts.values()
                if isinstance(alert, dict)
            ]
        tables.extend(match[1] for query in queries if (match := QUERY_TABLE.match(query)))
    return list(dict.fromkeys(tables))


def log_retention(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """Each workspace table the project's logs land in keeps them the jurisdiction's log retention in
    total (interactive, then long-term), at a value azurerm accepts."""
    kept: dict[str, Any] = {}
    for table in by_type(resources, "azurerm_log_analytics_workspace_table"):
        name = str(value(table.body, "name"))
        names = QUOTED_NAME.findall(str(value(table.body, "for_each"))) if "each." in name else [name]
        kept.update(dict.fromkeys(names, value(table.body, "total_retention_in_days")))
    for name in _logged_tables(resources):
        if name not in kept:
            found.append(
                f"log table {name}: no azurerm_log_analytics_workspace_table keeps it {LOG_RETENTION_DAYS} "
                "days (the workspace's own retention is at most 730)"
            )
            continue
        days = int(kept[name]) if str(kept[name]).isdigit() else 0
        if days < LOG_RETENTION_DAYS:
            found.append(
                f"log table {name}: total_retention_in_days {kept[name]}, under the {LOG_RETENTION_DAYS} "
                "days required"
            )
        elif not (4 <= days <= 730 or days in LOG_TABLE_YEARS):
            found.append(
                f"log table {name}: total_retention_in_days {days}, which azurerm refuses (4-730 days or "
                f"a whole year: {', '.join(map(str, LOG_TABLE_YEARS))})"
            )


def timers(resources: list[Resource], modules: list[dict[str, Any]], found: list[str]) -> None:
    """Every timer-triggered function declares its NCRONTAB schedule (an app setting the trigger reads)."""
    for module in modules:
        functions = value(module, "functions")
        for key, spec in functions.items() if isinstance(functions, dict) else []:
            if not isinstance(spec, dict) or value(spec, "trigger") != "timer":
                continue
            schedule = str(value(spec, "schedule") or "")
            if not NCRONTAB.match(schedule):
                found.append(f"module {module['name']}: timer {key} has no NCRONTAB schedule ({schedule!r})")


def wagering_modules(project: Path = PROJECT) -> tuple[str, ...]:
    """The modules the jurisdiction keeps off every public cloud region (tools/jurisdiction.json)."""
    data = json.loads((project / "tools" / "jurisdiction.json").read_text(encoding="utf-8"))
    return tuple(data.get("wagering_modules", []))


def no_wagering(
    resources: list[Resource], modules: list[dict[str, Any]], found: list[str], project: Path = PROJECT
) -> None:
    """Where the law keeps wagering off public clouds: no module, app, table, role, key or code of it.

    The Azure side of N.J.S.A. 5:12-95.22(a) (the hybrid mode: module operator_wallet): generation
    refuses the wallet there; this proves the Terraform and the code stayed so after local edits.
    """
    wagering = wagering_modules(project)
    for module in modules:
        if module["name"] in wagering:
            found.append(f"module {module['name']}: a module that takes wagers ({module['path'].name})")
        app = value(module, "app")
        if app in wagering:
            found.append(f"module {module['name']} ({module['path'].parent.name}): the function app of {app}")
    for name in wagering:
        tables = WAGERING_TABLES.get(name, ())
        for table in by_type(resources, "azurerm_storage_table"):
            if value(table.body, "name") in tables:
                found.append(
                    f"table {value(table.body, 'name')} ({table.path.parent.name}): the table of {name}"
                )
        for module in modules:
            text = str(value(module, "grants")) + str(value(module, "app_settings"))
            found.extend(
                f"module {module['name']} ({module['path'].parent.name}): a role or a setting on {table}, "
                f"the table of {name}"
                for table in tables
                if f"/tables/{table}" in text or f"'{table}'" in text
            )
        paths = sorted({secret.path for secret in by_type(resources, "azurerm_key_vault_secret")})
        found.extend(
            f"{path.parent.name}: the signing key of {caller}, a server caller of {name}"
            for path in paths
            for caller in _signing_callers(path)
            if caller in WAGERING_CALLERS.get(name, ())
        )
        package = sorted((project / "src").glob("*/__init__.py"))
        for source in package:
            found.extend(
                f"src/{source.parent.name}/{code}: code of {name}"
                for code in WAGERING_CODE.get(name, ())
                if (source.parent / code).exists()
            )
        # The apps' archives of the last `make package`.
        for archive in sorted((project / ".build" / "azure").glob("*.zip")):
            with zipfile.ZipFile(archive) as packaged:
                names = packaged.namelist()
            held = (*WAGERING_CODE.get(name, ()), *WAGERING_PACKAGED.get(name, ()))
            found.extend(
                f".build/azure/{archive.name}: holds {entry}, code of {name}"
                for entry in names
                if any(entry.endswith("/" + code) for code in held)
            )


CONTROLS = (
    Control(
        "app-transport",
        "Function apps take HTTPS only, TLS 1.2 or later, and CORS from exact origins without credentials",
        COMMUNICATIONS,
        app_transport,
    ),
    Control(
        "app-identity",
        "Each function app runs as its own user-assigned identity and requires authentication first",
        AUTHENTICATION,
        app_identity,
    ),
    Control(
        "server-callers",
        "Server callers pass App Service Authentication (no path excluded), their applications only, ids set",
        AUTHENTICATION,
        server_callers,
    ),
    Control(
        "least-privilege-grants",
        "Each role is granted on one resource: no broad role, no resource group or subscription scope",
        LEAST_PRIVILEGE,
        role_grants,
    ),
    Control(
        "poison-queues",
        "Each work queue has its poison queue; each Event Grid subscription retries and dead-letters",
        DELIVERY,
        queues,
    ),
    Control(
        "key-vault",
        "Key Vault: RBAC, purge protection, 90 days of soft delete, network denied by default",
        SECRETS,
        key_vault,
    ),
    Control(
        "private-egress",
        "The apps reach Event Grid and Azure Monitor through private endpoints; no internet egress",
        NETWORK,
        private_egress,
    ),
    Control(
        "storage-encryption",
        "Storage accounts: a customer-managed key for blobs, queues and tables; shared keys off",
        ENCRYPTION,
        storage_encryption,
    ),
    Control(
        "audit-archive-lock",
        "The audit archive's immutability policy keeps the jurisdiction's retention, locked where asked",
        RECORDS,
        audit_archive,
        rule="retention",
    ),
    Control(
        "lake-retention",
        "The reports, the event lake and the ledger exports are deleted after the jurisdiction's retention",
        RECORDS,
        lake_retention,
    ),
    Control(
        "log-retention",
        f"The tables the project's logs land in keep them {LOG_RETENTION_DAYS} days (the jurisdiction's "
        "log retention)",
        LOGGING,
        log_retention,
        rule="log_retention",
    ),
    Control(
        "no-wagering",
        "Where the law keeps wagering off public clouds, no module, app, table, role, key or code of it",
        RESIDENCY,
        no_wagering,
        rule="residency",
    ),
    Control(
        "timer-schedules",
        "Every timer-triggered function declares its NCRONTAB schedule",
        SYSTEM_INTEGRITY,
        timers,
    ),
)


def counted(resources: list[Resource], modules: list[dict[str, Any]]) -> dict[str, int]:
    """What the report counts beside the controls."""
    return {
        "function_apps": sum(1 for m in modules if str(value(m, "source")).endswith("blocks/function_app")),
        "grants": len(by_type(resources, "azurerm_role_assignment")),
    }
