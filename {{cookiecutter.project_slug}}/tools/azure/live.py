"""make audit-live on Azure: read the deployed stage over Azure Resource Manager and report drift per control.

    python -m tools.azure.live --subscription <subscription id> [--stage dev] [--json PATH]

Names come from infra/ as Terraform gives them: the resource group `<prefix>-rg`, the function apps
`<prefix>-<app>` (their identities the same), the vault `kv-...-<stage>`, the storage accounts
`<storage prefix><d|h>`, the topic `<prefix>-events`, where prefix is main.tf's `<slug>-<stage>`. Every
request is a GET to ARM (management.azure.com) with a token of azure-identity's DefaultAzureCredential:
Reader on the stage's resource group is enough (infra/README.md). The control ids, titles and areas are
tools/infra_controls_azure.py's.

Exit status: 0 when no control fails, 1 when one does, 2 when it cannot start (no credentials).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.azure.function_apps import declared
from tools.infra_live import (
    INFRA,
    Answer,
    LiveCheck,
    Reader,
    Transport,
    Unreadable,
    local_value,
    offline_controls,
    report,
    run,
    terraform_text,
    variable_default,
    write_json,
)

ARM = "https://management.azure.com"
# The API versions read (each answer's shape is cited where it is read).
WEB, VAULT, STORAGE, EVENTS, AUTHORIZATION, INSIGHTS, PRIVATE_LINK_SCOPES = (
    "2024-04-01",
    "2023-07-01",
    "2023-05-01",
    "2025-02-15",
    "2022-04-01",
    "2020-02-02",
    "2021-07-01-preview",
)
LOG_TABLES_VERSION = "2022-10-01"  # Log Analytics workspace tables (Tables - Get)
TLS_VERSIONS = ("1.2", "1.3")
UNAUTHENTICATED = ("Return401", "Return403")
MIN_SOFT_DELETE_DAYS = 90
# Built-in roles that reach beyond one resource's data (tools/infra_controls_azure.py's BROAD_ROLES), by
# their fixed ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
BROAD_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
}
HOST_ROLE = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"  # Storage Blob Data Owner: the host account only
SUBSCRIPTION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
VAULT_NAME = re.compile(r'resource\s+"azurerm_key_vault"\s+"\w+"\s*\{\s*name\s*=\s*"([^"]+)"')
# The containers kept for the retention (tools/infra_controls_azure.py's LAKE_CONTAINERS), by their names.
KEPT_CONTAINER = re.compile(
    r'resource\s+"azurerm_storage_container"\s+"(?:reports|exports)"\s*\{[^}]*?\bname\s*=\s*"([^"]+)"'
)
# The workspace tables whose total retention monitoring.tf sets (its for_each's names).
LOG_TABLES = re.compile(
    r'resource\s+"azurerm_log_analytics_workspace_table"\s+"\w+"\s*\{\s*for_each\s*=\s*toset\(\[([^\]]*)\]'
)


@dataclass
class Deployment:
    """What infra/ deploys for one subscription and stage, by name."""

    subscription: str
    stage: str
    prefix: str
    storage_prefix: str
    vault: str
    lock_stages: list[str]
    retention_days: int
    apps: list[str] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    # The data account's containers a lifecycle rule deletes after the retention (reports, exports).
    kept: list[str] = field(default_factory=list)
    # The workspace tables the logs land in, kept for the jurisdiction's log retention (monitoring.tf).
    log_tables: list[str] = field(default_factory=list)
    # The API admits the server callers' applications (variables.tf's server_client_ids, with the wallet).
    server_callers: bool = False

    @property
    def group(self) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.prefix}-rg"

    def account(self, kind: str) -> str:
        """main.tf names the storage accounts `<storage prefix><first letter of data | host>`."""
        return f"{self.storage_prefix}{kind[0]}"

    def url(self, provider_path: str, version: str) -> str:
        return f"{ARM}{self.group}/providers/{provider_path}?api-version={version}"


def deployment(subscription: str, stage: str, infra: Path = INFRA) -> Deployment:
    """The names infra/ gives the stage's resources."""
    text = terraform_text(infra)
    vault = VAULT_NAME.search(text)
    if vault is None:
        raise SystemExit("infra/main.tf: no azurerm_key_vault with a name; restore it (make regenerate)")
    apps = declared(infra)
    return Deployment(
        subscription=subscription,
        stage=stage,
        prefix=local_value(text, "prefix").replace("${var.stage}", stage),
        storage_prefix=local_value(text, "storage_prefix").replace("${var.stage}", stage),
        vault=vault.group(1).replace("${var.stage}", stage),
        lock_stages=list(variable_default(text, "archive_lock_stages")),
        retention_days=int(local_value(text, "retention_days")),
        apps=sorted(apps),
        queues=sorted(f.queue for functions in apps.values() for f in functions.values() if f.queue),
        kept=sorted(set(KEPT_CONTAINER.findall(text))),
        log_tables=[name for names in LOG_TABLES.findall(text) for name in re.findall(r'"(\w+)"', names)],
        server_callers='variable "server_client_ids"' in text,
    )


def _app_name(deployed: Deployment, app: str) -> str:
    return f"{deployed.prefix}-{app}"


def _apps(
    deployed: Deployment, reader: Reader, found: list[str], path: str = ""
) -> dict[str, dict[str, Any]]:
    """Each function app infra/ deploys (or one of its sub-resources), read; a missing one is a finding.

    Web Apps - Get: {id, name, identity: {type, userAssignedIdentities: {<id>: {principalId, clientId}}},
    properties: {httpsOnly, functionAppConfig: {deployment: {storage: {authentication: {type}}}}, ...}}
    https://learn.microsoft.com/rest/api/appservice/web-apps/get
    """
    read = {}
    for app in deployed.apps:
        name = _app_name(deployed, app)
        what = f"function app {name}{' ' + path if path else ''}"
        try:
            read[name] = reader.get(deployed.url(f"Microsoft.Web/sites/{name}{path}", WEB), what)
        except Unreadable as error:
            found.append(str(error))
    return read


def app_transport(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    for name, site in _apps(deployed, reader, found).items():
        if site.get("properties", {}).get("httpsOnly") is not True:
            found.append(f"function app {name}: httpsOnly is not true")
    # Web Apps - Get Configuration (config/web): {properties: {minTlsVersion, scmMinTlsVersion,
    # cors: {allowedOrigins, supportCredentials}, ...}}
    # https://learn.microsoft.com/rest/api/appservice/web-apps/get-configuration
    for name, config in _apps(deployed, reader, found, "/config/web").items():
        properties = config.get("properties", {})
        for key in ("minTlsVersion", "scmMinTlsVersion"):
            if str(properties.get(key)) not in TLS_VERSIONS:
                found.append(f"function app {name}: {key} {properties.get(key)}, expected 1.2 or later")
        cors = properties.get("cors") or {}
        if "*" in (cors.get("allowedOrigins") or []):
            found.append(f"function app {name}: CORS allows any origin (*)")
        if cors.get("supportCredentials") is True:
            found.append(f"function app {name}: CORS sends credentials")


def app_identity(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    for name, site in _apps(deployed, reader, found).items():
        identity = site.get("identity") or {}
        own = f"/userassignedidentities/{name}".lower()
        ids = [key.lower() for key in identity.get("userAssignedIdentities") or {}]
        if identity.get("type") != "UserAssigned" or not any(key.endswith(own) for key in ids):
            found.append(
                f"function app {name}: identity {identity.get('type')}, not its own user-assigned one"
            )
        storage = (
            site.get("properties", {}).get("functionAppConfig", {}).get("deployment", {}).get("storage", {})
        )
        if storage.get("authentication", {}).get("type") != "UserAssignedIdentity":
            found.append(f"function app {name}: host storage not reached with its user-assigned identity")
    # Web Apps - Get Auth Settings V2 Without Secrets (config/authsettingsV2): {properties: {platform:
    # {enabled}, globalValidation: {requireAuthentication, unauthenticatedClientAction}, ...}}
    # https://learn.microsoft.com/rest/api/appservice/web-apps/get-auth-settings-v2-without-secrets
    for name, auth in _apps(deployed, reader, found, "/config/authsettingsV2").items():
        properties = auth.get("properties", {})
        validation = properties.get("globalValidation") or {}
        if properties.get("platform", {}).get("enabled") is not True or not validation.get(
            "requireAuthentication"
        ):
            found.append(f"function app {name}: authentication is not required (authsettingsV2)")
        elif validation.get("unauthenticatedClientAction") not in UNAUTHENTICATED:
            action = validation.get("unauthenticatedClientAction")
            found.append(f"function app {name}: an unauthenticated call is not refused ({action})")
    # Web Apps - Get Scm Allowed (basicPublishingCredentialsPolicies/scm): {properties: {allow}}
    # https://learn.microsoft.com/rest/api/appservice/web-apps/get-scm-allowed
    for name, policy in _apps(deployed, reader, found, "/basicPublishingCredentialsPolicies/scm").items():
        if policy.get("properties", {}).get("allow") is not False:
            found.append(f"function app {name}: basic authentication for publishing is not off")


def server_callers(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    """No path skips App Service Authentication; Entra ID admits the server callers' applications only.
    (The API's <CALLER>_CLIENT_IDS are app settings, which Reader cannot list: checked offline.)"""
    # Web Apps - Get Auth Settings V2 Without Secrets: {properties: {globalValidation: {excludedPaths},
    # identityProviders: {azureActiveDirectory: {enabled, validation: {defaultAuthorizationPolicy:
    # {allowedApplications}, jwtClaimChecks: {allowedClientApplications}}}}}}
    # https://learn.microsoft.com/rest/api/appservice/web-apps/get-auth-settings-v2-without-secrets
    for name, auth in _apps(deployed, reader, found, "/config/authsettingsV2").items():
        properties = auth.get("properties", {})
        excluded = (properties.get("globalValidation") or {}).get("excludedPaths") or []
        if excluded:
            found.append(f"function app {name}: {', '.join(excluded)} skip App Service Authentication")
        if not deployed.server_callers or name != _app_name(deployed, "api"):
            continue
        entra = (properties.get("identityProviders") or {}).get("azureActiveDirectory") or {}
        policy = (entra.get("validation") or {}).get("defaultAuthorizationPolicy") or {}
        if entra.get("enabled") is False or not policy.get("allowedApplications"):
            found.append(
                f"function app {name}: Entra ID admits any application of the tenant, not the server "
                "callers' only (allowedApplications)"
            )


def role_grants(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    principals = {
        identity.get("principalId"): name
        for name, site in _apps(deployed, reader, found).items()
        for identity in ((site.get("identity") or {}).get("userAssignedIdentities") or {}).values()
    }
    # Role Assignments - List For Resource Group (at, above and below it): {value: [{id, name,
    # properties: {roleDefinitionId, principalId, principalType, scope}}], nextLink}
    # https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-resource-group
    url = deployed.url("Microsoft.Authorization/roleAssignments", AUTHORIZATION)
    data = f"{deployed.group}/providers/Microsoft.Storage/storageAccounts/{deployed.account('data')}".lower()
    host = f"/storageAccounts/{deployed.account('host')}".lower()
    wide = {deployed.group.lower(), f"/subscriptions/{deployed.subscription}".lower(), data}
    for assignment in reader.pages(url, f"role assignments of {deployed.prefix}-rg", "value"):
        properties = assignment.get("properties", {})
        app = principals.get(properties.get("principalId"))
        if app is None:
            continue  # not one of the apps' identities: people and pipelines are the access review's
        scope = str(properties.get("scope", "")).lower()
        role = str(properties.get("roleDefinitionId", "")).rsplit("/", 1)[-1]
        if role in BROAD_ROLES and not (role == HOST_ROLE and host in scope):
            found.append(f"function app {app}: broad role {BROAD_ROLES[role]} on {properties.get('scope')}")
        if scope.rstrip("/") in wide:
            found.append(f"function app {app}: a role on {properties.get('scope')}, wider than one resource")


def queues(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Queue - List (queueServices/default/queues): {value: [{id, name, properties: {metadata}}], nextLink}
    # https://learn.microsoft.com/rest/api/storagerp/queue/list
    account = deployed.account("data")
    url = deployed.url(f"Microsoft.Storage/storageAccounts/{account}/queueServices/default/queues", STORAGE)
    listed = {q["name"] for q in reader.pages(url, f"queues of {account}", "value")}
    for queue in deployed.queues:
        found.extend(
            f"queue {name}: not in {account}" for name in (queue, f"{queue}-poison") if name not in listed
        )
    # Event Subscriptions - List By Resource (the topic's): {value: [{name, properties: {destination,
    # deliveryWithResourceIdentity, deadLetterDestination | deadLetterWithResourceIdentity,
    # retryPolicy: {maxDeliveryAttempts, eventTimeToLiveInMinutes}}}], nextLink}
    # https://learn.microsoft.com/rest/api/eventgrid/controlplane/event-subscriptions/list-by-resource
    topic = f"{deployed.prefix}-events"
    url = deployed.url(f"Microsoft.EventGrid/topics/{topic}/eventSubscriptions", EVENTS)
    for subscription in reader.pages(url, f"event subscriptions of {topic}", "value"):
        properties = subscription.get("properties", {})
        name = subscription.get("name")
        if not (properties.get("deadLetterDestination") or properties.get("deadLetterWithResourceIdentity")):
            found.append(f"event subscription {name}: no dead-letter destination")
        if not properties.get("retryPolicy"):
            found.append(f"event subscription {name}: no retry policy")
        if not properties.get("deliveryWithResourceIdentity"):
            found.append(f"event subscription {name}: delivers without its identity")


def key_vault(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Vaults - Get: {properties: {enableRbacAuthorization, enablePurgeProtection, enableSoftDelete,
    # softDeleteRetentionInDays, publicNetworkAccess, networkAcls: {defaultAction, bypass}, ...}}
    # https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/get
    vault = reader.get(
        deployed.url(f"Microsoft.KeyVault/vaults/{deployed.vault}", VAULT), f"key vault {deployed.vault}"
    )
    properties = vault.get("properties", {})
    where = f"key vault {deployed.vault}"
    for key in ("enableRbacAuthorization", "enablePurgeProtection"):
        if properties.get(key) is not True:
            found.append(f"{where}: {key} is not true")
    if properties.get("publicNetworkAccess") != "Disabled":
        found.append(f"{where}: public network access is {properties.get('publicNetworkAccess')}")
    if int(properties.get("softDeleteRetentionInDays") or 0) < MIN_SOFT_DELETE_DAYS:
        found.append(f"{where}: soft delete kept fewer than {MIN_SOFT_DELETE_DAYS} days")
    if (properties.get("networkAcls") or {}).get("defaultAction") != "Deny":
        found.append(f"{where}: network default action is not Deny")


def _approved_endpoint(resource: dict[str, Any]) -> bool:
    """An approved private endpoint connection: the apps' subnets reach the resource through it."""
    return any(
        (c.get("properties", {}).get("privateLinkServiceConnectionState") or {}).get("status") == "Approved"
        for c in resource.get("properties", {}).get("privateEndpointConnections") or []
    )


def private_egress(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Topics - Get: {properties: {publicNetworkAccess, privateEndpointConnections: [{properties:
    # {privateLinkServiceConnectionState: {status}}}], ...}}
    # https://learn.microsoft.com/rest/api/eventgrid/controlplane/topics/get
    topic = f"{deployed.prefix}-events"
    read = reader.get(
        deployed.url(f"Microsoft.EventGrid/topics/{topic}", EVENTS), f"event grid topic {topic}"
    )
    if read.get("properties", {}).get("publicNetworkAccess") != "Disabled":
        found.append(f"event grid topic {topic}: public network access is not Disabled")
    if not _approved_endpoint(read):
        found.append(f"event grid topic {topic}: no approved private endpoint")
    # Components - Get: {id, properties: {publicNetworkAccessForIngestion, ...}}
    # https://learn.microsoft.com/rest/api/application-insights/components/get
    insights = f"{deployed.prefix}-insights"
    component = reader.get(
        deployed.url(f"Microsoft.Insights/components/{insights}", INSIGHTS),
        f"application insights {insights}",
    )
    if component.get("properties", {}).get("publicNetworkAccessForIngestion") != "Disabled":
        found.append(f"application insights {insights}: ingestion over the public network is not Disabled")
    # Private Link Scopes - Get: {properties: {accessModeSettings: {ingestionAccessMode},
    # privateEndpointConnections: [...]}}; Private Link Scoped Resources - List By Private Link Scope:
    # {value: [{properties: {linkedResourceId}}]}
    # https://learn.microsoft.com/rest/api/monitor/private-link-scopes/get
    scope = f"{deployed.prefix}-ampls"
    path = f"microsoft.insights/privateLinkScopes/{scope}"
    where = f"monitor private link scope {scope}"
    read = reader.get(deployed.url(path, PRIVATE_LINK_SCOPES), where)
    mode = (read.get("properties", {}).get("accessModeSettings") or {}).get("ingestionAccessMode")
    if mode != "PrivateOnly":
        found.append(f"{where}: ingestion access mode {mode}, expected PrivateOnly")
    if not _approved_endpoint(read):
        found.append(f"{where}: no approved private endpoint")
    linked = {
        str(item.get("properties", {}).get("linkedResourceId", "")).lower()
        for item in reader.pages(deployed.url(f"{path}/scopedResources", PRIVATE_LINK_SCOPES), where, "value")
    }
    if str(component.get("id", "")).lower() not in linked:
        found.append(f"{where}: application insights {insights} is not in the scope")


def storage_encryption(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Storage Accounts - Get Properties: {properties: {allowSharedKeyAccess, encryption: {keySource,
    # keyvaultproperties, services: {blob, file, queue: {keyType}, table: {keyType}}}, ...}}
    # https://learn.microsoft.com/rest/api/storagerp/storage-accounts/get-properties
    for kind in ("data", "host"):
        name = deployed.account(kind)
        try:
            account = reader.get(
                deployed.url(f"Microsoft.Storage/storageAccounts/{name}", STORAGE), f"storage account {name}"
            )
        except Unreadable as error:
            found.append(str(error))
            continue
        properties = account.get("properties", {})
        encryption = properties.get("encryption") or {}
        if encryption.get("keySource") != "Microsoft.Keyvault":
            found.append(f"storage account {name}: key source {encryption.get('keySource')}, not its own key")
        for service in ("queue", "table"):
            key_type = (encryption.get("services", {}).get(service) or {}).get("keyType")
            if key_type != "Account":
                found.append(f"storage account {name}: {service} key type {key_type}, not Account")
        if properties.get("allowSharedKeyAccess") is not False:
            found.append(f"storage account {name}: shared keys are not off")


def audit_archive(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Blob Containers - Get Immutability Policy: {name: "default", etag, properties:
    # {immutabilityPeriodSinceCreationInDays, state: "Locked" | "Unlocked", allowProtectedAppendWrites}}
    # https://learn.microsoft.com/rest/api/storagerp/blob-containers/get-immutability-policy
    account = deployed.account("data")
    path = (
        f"Microsoft.Storage/storageAccounts/{account}/blobServices/default/containers/audit-archive"
        "/immutabilityPolicies/default"
    )
    where = f"audit archive {account}/audit-archive"
    properties = reader.get(deployed.url(path, STORAGE), f"{where} immutability policy").get("properties", {})
    state, days = properties.get("state"), int(properties.get("immutabilityPeriodSinceCreationInDays") or 0)
    expected = "Locked" if deployed.stage in deployed.lock_stages else "Unlocked"
    if state != expected:
        found.append(
            f"{where}: policy {state} on {deployed.stage}, expected {expected} (archive_lock_stages)"
        )
    if days < deployed.retention_days:
        found.append(f"{where}: kept {days} days, shorter than the retention's {deployed.retention_days}")


def lake_retention(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    """With the reports or the ledger exports deployed: the data account's lifecycle rules delete each
    container's blobs, their versions and snapshots after the retention, not sooner and not later."""
    if not deployed.kept:
        return  # neither reporting nor the scheduled jobs: no container kept, no lifecycle policy
    # Management Policies - Get: {name: "DefaultManagementPolicy", properties: {policy: {rules: [{name,
    # enabled, type, definition: {filters: {prefixMatch, blobTypes}, actions: {baseBlob: {delete:
    # {daysAfterCreationGreaterThan}}, version: {delete: {daysAfterCreationGreaterThan}}, snapshot:
    # {delete: {daysAfterCreationGreaterThan}}}}}]}}}
    # https://learn.microsoft.com/rest/api/storagerp/management-policies/get
    account = deployed.account("data")
    path = f"Microsoft.Storage/storageAccounts/{account}/managementPolicies/default"
    policy = reader.get(deployed.url(path, STORAGE), f"lifecycle policy of {account}")
    rules = ((policy.get("properties") or {}).get("policy") or {}).get("rules") or []
    covered: set[str] = set()
    for rule in rules:
        definition = rule.get("definition") or {}
        actions = definition.get("actions") or {}
        for kind in ("baseBlob", "version", "snapshot"):
            days = ((actions.get(kind) or {}).get("delete") or {}).get("daysAfterCreationGreaterThan")
            if days != deployed.retention_days:
                found.append(
                    f"lifecycle rule {rule.get('name')}: {kind} deleted after {days} days, "
                    f"the retention is {deployed.retention_days}"
                )
        if rule.get("enabled") is not False:
            covered.update((definition.get("filters") or {}).get("prefixMatch") or [])
    found.extend(
        f"lifecycle policy of {account}: no enabled rule deletes the {container} container"
        for container in deployed.kept
        if f"{container}/" not in covered
    )


def _offline(name: str) -> Any:
    """A constant of the offline controls' module (the one fact, read from there)."""
    offline_controls("azure")
    return getattr(sys.modules["infra_controls_azure"], name)


def log_retention(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    """Each workspace table the logs land in keeps them the jurisdiction's log retention in total."""
    required = int(_offline("LOG_RETENTION_DAYS"))
    workspace = f"{deployed.prefix}-logs"
    if not deployed.log_tables:
        found.append("infra/monitoring.tf: no azurerm_log_analytics_workspace_table keeps the logs")
    # Tables - Get: {id, name, properties: {plan, retentionInDays, totalRetentionInDays,
    # archiveRetentionInDays, retentionInDaysAsDefault, totalRetentionInDaysAsDefault, schema, ...}}
    # https://learn.microsoft.com/rest/api/loganalytics/tables/get
    for table in deployed.log_tables:
        path = f"Microsoft.OperationalInsights/workspaces/{workspace}/tables/{table}"
        where = f"log table {workspace}/{table}"
        try:
            properties = reader.get(deployed.url(path, LOG_TABLES_VERSION), where).get("properties", {})
        except Unreadable as error:
            found.append(str(error))
            continue
        days = properties.get("totalRetentionInDays")
        if not isinstance(days, int) or days < required:
            found.append(f"{where}: keeps logs {days} days in total, under the {required} days required")


def no_wagering(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    """Where the law keeps wagering off public clouds: the stage has no app or table of a wagering module.

    The wagering modules are tools/jurisdiction.json's (tools/infra_controls_azure.py); each one's app
    (`<prefix>-<module>`) and table must answer 404 (Web Apps - Get, Table - Get
    https://learn.microsoft.com/rest/api/storagerp/table/get); anything else is a finding.
    """
    from tools.infra_controls_azure import WAGERING_TABLES, wagering_modules

    account = deployed.account("data")
    for module in wagering_modules():
        targets = [(f"Microsoft.Web/sites/{_app_name(deployed, module)}", WEB, f"function app of {module}")]
        targets += [
            (
                f"Microsoft.Storage/storageAccounts/{account}/tableServices/default/tables/{table}",
                STORAGE,
                f"table {table} of {module}",
            )
            for table in WAGERING_TABLES.get(module, ())
        ]
        for path, version, what in targets:
            try:
                reader.get(deployed.url(path, version), what)
            except Unreadable as error:
                if error.status != 404:
                    found.append(str(error))
                continue
            found.append(
                f"{what}: deployed where {module} must stay off public clouds ({path.rsplit('/', 1)[-1]})"
            )


LIVE: dict[str, LiveCheck] = {
    "app-transport": app_transport,
    "app-identity": app_identity,
    "server-callers": server_callers,
    "least-privilege-grants": role_grants,
    "poison-queues": queues,
    "key-vault": key_vault,
    "private-egress": private_egress,
    "storage-encryption": storage_encryption,
    "audit-archive-lock": audit_archive,
    "lake-retention": lake_retention,
    "log-retention": log_retention,
    "no-wagering": no_wagering,
}
OFFLINE_ONLY = {
    "timer-schedules": (
        "a schedule is an app setting, and reading app settings is a list action Reader does not hold "
        "(settings can carry secrets)"
    ),
}


class TokenSession:
    """requests with a bearer token of DefaultAzureCredential for ARM, renewed before it expires."""

    def __init__(self) -> None:
        import requests
        from azure.identity import DefaultAzureCredential

        self.credential = DefaultAzureCredential()
        self.session = requests.Session()
        self.token = self.credential.get_token(f"{ARM}/.default")

    def request(self, method: str, url: str, **kwargs: Any) -> Answer:
        if self.token.expires_on - time.time() < 300:  # renewed five minutes before it expires
            self.token = self.credential.get_token(f"{ARM}/.default")
        headers = {"Authorization": f"Bearer {self.token.token}"}
        answer: Answer = self.session.request(method, url, headers=headers, **kwargs)
        return answer


def audit(
    subscription: str, stage: str, transport: Transport, infra: Path = INFRA, json_path: Path | None = None
) -> int:
    """Read the stage, print the report, write it as JSON if asked; 1 if a control failed."""
    deployed = deployment(subscription, stage, infra)
    print(f"Reading subscription {subscription}, resource group {deployed.prefix}-rg", file=sys.stderr)
    reader = Reader(transport)
    results = run("azure", deployed, reader, LIVE, OFFLINE_ONLY)
    if json_path is not None:
        write_json(results, json_path)
    return report(results, f"audit-live: {deployed.prefix}-rg, stage {stage}, {reader.requests} requests")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--subscription", required=True, help="the Azure subscription id (make audit-live SUBSCRIPTION=)"
    )
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if not SUBSCRIPTION_ID.fullmatch(args.subscription):
        parser.error(
            f"--subscription {args.subscription!r}: a subscription id is a GUID "
            "(`az account show --query id` shows yours)"
        )
    try:
        transport = TokenSession()
    except Exception as error:  # azure.identity's CredentialUnavailableError and friends: say how to fix it
        print(f"make audit-live: no Azure credentials ({error}); run `az login`", file=sys.stderr)
        return 2
    return audit(args.subscription, args.stage, transport, json_path=args.json)


if __name__ == "__main__":
    sys.exit(main())
