"""make audit-live on Azure (tools/azure/live.py), on recorded answers of Azure Resource Manager.

Azurite serves the storage data plane, not ARM (function apps, Key Vault, storage accounts' settings,
immutability policies, Event Grid, role assignments), so the transport answers from recordings: the JSON
each ARM operation returns, written from its REST reference page (cited above each answer). Only the
transport is replaced: the live module reads, pages and judges as it does against Azure. A compliant
stage passes every control it reads; each drift fails the control that guards it, naming the resource;
a 403 or a 404 is reported as such, never as a pass.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from tools.azure import live
from tools.infra_live import Reader, offline_controls, run

ROOT = live.INFRA.parent
SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-111122223333"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
STAGE = "prod"  # a stage of archive_lock_stages: the archive's policy must be locked
MAIN = (ROOT / "infra" / "main.tf").read_text()
NAMED = re.search(r'^\s*prefix\s*=\s*"([^"]+)\$\{var\.stage\}"', MAIN, re.MULTILINE)
STORAGE_NAMED = re.search(r'storage_prefix\s*=\s*"([^"]+)\$\{var\.stage\}"', MAIN)
assert NAMED
assert STORAGE_NAMED
PREFIX = f"{NAMED.group(1)}{STAGE}"
DATA, HOST = f"{STORAGE_NAMED.group(1)}{STAGE}d", f"{STORAGE_NAMED.group(1)}{STAGE}h"
GROUP = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{PREFIX}-rg"
DEPLOYED = live.deployment(SUBSCRIPTION, STAGE)
TOPIC = f"{GROUP}/providers/Microsoft.EventGrid/topics/{PREFIX}-events"
IDENTITIES = f"{GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"

Answers = dict[str, tuple[int, dict[str, Any]]]
# The containers kept for the jurisdiction's retention, with the cool tier the reports move to after 30
# days: the reports (the reporting module) and the ledger exports (the scheduled jobs).
KEPT: dict[str, dict[str, Any]] = {
    **(
        {"reports": {"tierToCool": {"daysAfterCreationGreaterThan": 30}}}
        if "reporting" in DEPLOYED.apps
        else {}
    ),
    **({"exports": {}} if "jobs" in DEPLOYED.apps else {}),
}


# The API's Entra ID provider as blocks/function_app sets it (server callers: their applications only).
SERVER_CALLERS = {
    "azureActiveDirectory": {
        "enabled": True,
        "registration": {
            "openIdIssuer": "https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa/v2.0",
            "clientId": "11111111-2222-3333-4444-555555555555",
        },
        "validation": {
            "allowedAudiences": ["api://11111111-2222-3333-4444-555555555555"],
            "defaultAuthorizationPolicy": {
                "allowedApplications": [
                    "aaaaaaaa-0000-0000-0000-000000000001",
                    "aaaaaaaa-0000-0000-0000-000000000002",
                ]
            },
            "jwtClaimChecks": {
                "allowedClientApplications": [
                    "aaaaaaaa-0000-0000-0000-000000000001",
                    "aaaaaaaa-0000-0000-0000-000000000002",
                ]
            },
        },
    },
    "customOpenIdConnectProviders": {"players": {"enabled": True}},
}


def arm(path: str, version: str) -> str:
    return f"{live.ARM}{GROUP}/providers/{path}?api-version={version}"


def site(app: str, sub: str = "") -> str:
    return arm(f"Microsoft.Web/sites/{PREFIX}-{app}{sub}", live.WEB)


def error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    # ARM's error body (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors)
    return status, {"error": {"code": code, "message": message}}


def not_found(address: str) -> tuple[int, dict[str, Any]]:
    return error(404, "ResourceNotFound", f"The Resource at '{address.split('?')[0]}' was not found.")


class RecordedArm:
    """A transport answering each GET from the recordings; every URL asked is kept, in order."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def request(self, method: str, address: str, **kwargs: Any) -> requests.Response:
        assert method == "GET", "make audit-live only reads"
        assert kwargs.get("timeout"), "every request has a timeout"
        params = kwargs.get("params") or {}
        asked = f"{address}&{urlencode(sorted(params.items()))}" if params else address
        self.asked.append(asked)
        status, body = self.answers.get(asked) or not_found(asked)
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        return response


def principal(app: str) -> str:
    return f"5a1c{DEPLOYED.apps.index(app):04d}-0000-4000-8000-000000000000"


def compliant() -> Answers:
    """What a stage deployed by infra/ answers, resource by resource."""
    answers: Answers = {}
    for app in DEPLOYED.apps:
        name = f"{PREFIX}-{app}"
        identity = f"{IDENTITIES}/{name}"
        # Web Apps - Get https://learn.microsoft.com/rest/api/appservice/web-apps/get
        answers[site(app)] = (
            200,
            {
                "id": f"{GROUP}/providers/Microsoft.Web/sites/{name}",
                "name": name,
                "type": "Microsoft.Web/sites",
                "kind": "functionapp,linux",
                "location": "West Europe",
                "identity": {
                    "type": "UserAssigned",
                    "userAssignedIdentities": {
                        identity: {
                            "principalId": principal(app),
                            "clientId": "c0ffee00-0000-4000-8000-000000000001",
                        }
                    },
                },
                "properties": {
                    "state": "Running",
                    "httpsOnly": True,
                    "publicNetworkAccess": "Enabled" if app == "api" else "Disabled",
                    "functionAppConfig": {
                        "deployment": {
                            "storage": {
                                "type": "blobContainer",
                                "value": f"https://{HOST}.blob.core.windows.net/code-{app}",
                                "authentication": {
                                    "type": "UserAssignedIdentity",
                                    "userAssignedIdentityResourceId": identity,
                                },
                            }
                        },
                        "runtime": {"name": "python", "version": "3.13"},
                        "scaleAndConcurrency": {"maximumInstanceCount": 40, "instanceMemoryMB": 2048},
                    },
                },
            },
        )
        # Web Apps - Get Configuration https://learn.microsoft.com/rest/api/appservice/web-apps/get-configuration
        answers[site(app, "/config/web")] = (
            200,
            {
                "id": f"{GROUP}/providers/Microsoft.Web/sites/{name}/config/web",
                "name": name,
                "type": "Microsoft.Web/sites/config",
                "properties": {
                    "minTlsVersion": "1.2",
                    "scmMinTlsVersion": "1.2",
                    "http20Enabled": True,
                    "remoteDebuggingEnabled": False,
                    "vnetRouteAllEnabled": True,
                    "cors": {
                        "allowedOrigins": ["https://play.example.com"] if app == "api" else [],
                        "supportCredentials": False,
                    },
                },
            },
        )
        # Web Apps - Get Auth Settings V2 Without Secrets
        # https://learn.microsoft.com/rest/api/appservice/web-apps/get-auth-settings-v2-without-secrets
        answers[site(app, "/config/authsettingsV2")] = (
            200,
            {
                "id": f"{GROUP}/providers/Microsoft.Web/sites/{name}/config/authsettingsV2",
                "name": "authsettingsV2",
                "properties": {
                    "platform": {"enabled": True, "runtimeVersion": "~1"},
                    "globalValidation": {
                        "requireAuthentication": True,
                        "unauthenticatedClientAction": "Return401",
                        "redirectToProvider": "players",
                    },
                    "httpSettings": {"requireHttps": True},
                    "login": {"tokenStore": {"enabled": False}},
                    **(
                        {"identityProviders": SERVER_CALLERS}
                        if app == "api" and DEPLOYED.server_callers
                        else {}
                    ),
                },
            },
        )
        # Web Apps - Get Scm Allowed https://learn.microsoft.com/rest/api/appservice/web-apps/get-scm-allowed
        answers[site(app, "/basicPublishingCredentialsPolicies/scm")] = (
            200,
            {
                "id": f"{GROUP}/providers/Microsoft.Web/sites/{name}/basicPublishingCredentialsPolicies/scm",
                "name": "scm",
                "properties": {"allow": False},
            },
        )
    # Role Assignments - List For Resource Group, in two pages (nextLink)
    # https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-resource-group
    data_id = f"{GROUP}/providers/Microsoft.Storage/storageAccounts/{DATA}"
    host_id = f"{GROUP}/providers/Microsoft.Storage/storageAccounts/{HOST}"
    roles = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions"

    def assignment(app: str, role: str, scope: str) -> dict[str, Any]:
        return {
            "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{app}-{scope[-8:]}",
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "roleDefinitionId": f"{roles}/{role}",
                "principalId": principal(app),
                "principalType": "ServicePrincipal",
                "scope": scope,
            },
        }

    queue_sender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a"  # Storage Queue Data Message Sender
    blob_owner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"  # Storage Blob Data Owner: the host account only
    grants = [
        *(assignment(app, blob_owner, host_id) for app in DEPLOYED.apps),
        *(
            assignment(app, queue_sender, f"{data_id}/queueServices/default/queues/{app}-x")
            for app in DEPLOYED.apps
        ),
        # A person's Owner on the group: the access review's, not an app's.
        {
            "id": f"{GROUP}/providers/Microsoft.Authorization/roleAssignments/owner",
            "properties": {
                "roleDefinitionId": f"{roles}/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
                "principalId": "0d0d0d0d-0000-4000-8000-000000000000",
                "principalType": "User",
                "scope": GROUP,
            },
        },
    ]
    assignments = arm("Microsoft.Authorization/roleAssignments", live.AUTHORIZATION)
    answers[assignments] = (200, {"value": grants[:3], "nextLink": f"{assignments}&$skipToken=page2"})
    answers[f"{assignments}&$skipToken=page2"] = (200, {"value": grants[3:]})
    # Queue - List https://learn.microsoft.com/rest/api/storagerp/queue/list
    queues = [name for queue in DEPLOYED.queues for name in (queue, f"{queue}-poison")]
    answers[arm(f"Microsoft.Storage/storageAccounts/{DATA}/queueServices/default/queues", live.STORAGE)] = (
        200,
        {
            "value": [
                {
                    "id": f"{data_id}/queueServices/default/queues/{name}",
                    "name": name,
                    "type": "Microsoft.Storage/storageAccounts/queueServices/queues",
                    "properties": {"metadata": {}},
                }
                for name in queues
            ]
        },
    )
    # Event Subscriptions - List By Resource
    # https://learn.microsoft.com/rest/api/eventgrid/controlplane/event-subscriptions/list-by-resource
    answers[arm(f"Microsoft.EventGrid/topics/{PREFIX}-events/eventSubscriptions", live.EVENTS)] = (
        200,
        {
            "value": [
                {
                    "id": f"{TOPIC}/eventSubscriptions/{queue}",
                    "name": queue,
                    "type": "Microsoft.EventGrid/eventSubscriptions",
                    "properties": {
                        "provisioningState": "Succeeded",
                        "eventDeliverySchema": "CloudEventSchemaV1_0",
                        "deliveryWithResourceIdentity": {
                            "identity": {"type": "SystemAssigned"},
                            "destination": {
                                "endpointType": "StorageQueue",
                                "properties": {"resourceId": data_id, "queueName": queue},
                            },
                        },
                        "deadLetterWithResourceIdentity": {
                            "identity": {"type": "SystemAssigned"},
                            "deadLetterDestination": {
                                "endpointType": "StorageBlob",
                                "properties": {"resourceId": data_id, "blobContainerName": "dead-letters"},
                            },
                        },
                        "retryPolicy": {"maxDeliveryAttempts": 10, "eventTimeToLiveInMinutes": 1440},
                    },
                }
                for queue in DEPLOYED.queues
            ]
        },
    )
    # Vaults - Get https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/get
    answers[arm(f"Microsoft.KeyVault/vaults/{DEPLOYED.vault}", live.VAULT)] = (
        200,
        {
            "id": f"{GROUP}/providers/Microsoft.KeyVault/vaults/{DEPLOYED.vault}",
            "name": DEPLOYED.vault,
            "type": "Microsoft.KeyVault/vaults",
            "location": "westeurope",
            "properties": {
                "tenantId": TENANT,
                "sku": {"family": "A", "name": "premium"},
                "enableSoftDelete": True,
                "softDeleteRetentionInDays": 90,
                "enableRbacAuthorization": True,
                "enablePurgeProtection": True,
                "publicNetworkAccess": "Disabled",
                "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny", "ipRules": []},
                "vaultUri": f"https://{DEPLOYED.vault}.vault.azure.net/",
            },
        },
    )
    # Topics - Get https://learn.microsoft.com/rest/api/eventgrid/controlplane/topics/get
    approved = [
        {"properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": ""}}}
    ]
    answers[TOPIC_READ] = (
        200,
        {
            "id": f"{GROUP}/providers/Microsoft.EventGrid/topics/{PREFIX}-events",
            "name": f"{PREFIX}-events",
            "properties": {"publicNetworkAccess": "Disabled", "privateEndpointConnections": approved},
        },
    )
    # Components - Get https://learn.microsoft.com/rest/api/application-insights/components/get
    answers[INSIGHTS] = (
        200,
        {
            "id": f"{GROUP}/providers/microsoft.insights/components/{PREFIX}-insights",
            "name": f"{PREFIX}-insights",
            "properties": {"publicNetworkAccessForIngestion": "Disabled", "DisableLocalAuth": True},
        },
    )
    answers.update(log_tables())
    # Private Link Scopes - Get https://learn.microsoft.com/rest/api/monitor/private-link-scopes/get
    answers[SCOPE] = (
        200,
        {
            "id": f"{GROUP}/providers/microsoft.insights/privateLinkScopes/{PREFIX}-ampls",
            "name": f"{PREFIX}-ampls",
            "properties": {
                "accessModeSettings": {"ingestionAccessMode": "PrivateOnly", "queryAccessMode": "Open"},
                "privateEndpointConnections": approved,
            },
        },
    )
    answers[SCOPED] = (
        200,
        {
            "value": [
                {
                    "properties": {
                        "linkedResourceId": f"{GROUP}/providers/Microsoft.Insights/components/"
                        f"{PREFIX}-insights"
                    }
                },
                {
                    "properties": {
                        "linkedResourceId": f"{GROUP}/providers/Microsoft.OperationalInsights/workspaces/"
                        f"{PREFIX}-logs"
                    }
                },
            ]
        },
    )
    # Storage Accounts - Get Properties https://learn.microsoft.com/rest/api/storagerp/storage-accounts/get-properties
    for name in (DATA, HOST):
        answers[arm(f"Microsoft.Storage/storageAccounts/{name}", live.STORAGE)] = (
            200,
            {
                "id": f"{GROUP}/providers/Microsoft.Storage/storageAccounts/{name}",
                "name": name,
                "type": "Microsoft.Storage/storageAccounts",
                "kind": "StorageV2",
                "sku": {"name": "Standard_ZRS", "tier": "Standard"},
                "properties": {
                    "minimumTlsVersion": "TLS1_2",
                    "supportsHttpsTrafficOnly": True,
                    "allowSharedKeyAccess": False,
                    "allowBlobPublicAccess": False,
                    "publicNetworkAccess": "Disabled",
                    "encryption": {
                        "keySource": "Microsoft.Keyvault",
                        "requireInfrastructureEncryption": True,
                        "keyvaultproperties": {
                            "keyname": (name[-1] == "d" and "data") or "host",
                            "keyvaulturi": f"https://{DEPLOYED.vault}.vault.azure.net/",
                        },
                        "services": {
                            "blob": {"enabled": True, "keyType": "Account"},
                            "file": {"enabled": True, "keyType": "Account"},
                            "queue": {"enabled": True, "keyType": "Account"},
                            "table": {"enabled": True, "keyType": "Account"},
                        },
                    },
                },
            },
        )
    # Blob Containers - Get Immutability Policy
    # https://learn.microsoft.com/rest/api/storagerp/blob-containers/get-immutability-policy
    answers[ARCHIVE] = (
        200,
        {
            "id": f"{data_id}/blobServices/default/containers/audit-archive/immutabilityPolicies/default",
            "name": "default",
            "type": "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
            "etag": '"8d5a2a2b3c4d5e6"',
            "properties": {
                "immutabilityPeriodSinceCreationInDays": DEPLOYED.retention_days,
                "state": "Locked",
                "allowProtectedAppendWrites": True,
            },
        },
    )

    # Management Policies - Get https://learn.microsoft.com/rest/api/storagerp/management-policies/get
    # The data account's one policy: a rule per container kept for the retention (infra/main.tf).
    def deleted() -> dict[str, Any]:
        return {"delete": {"daysAfterCreationGreaterThan": DEPLOYED.retention_days}}

    rules = [
        {
            "name": f"{container}-retention",
            "enabled": True,
            "type": "Lifecycle",
            "definition": {
                "filters": {"prefixMatch": [f"{container}/"], "blobTypes": ["blockBlob"]},
                "actions": {
                    "baseBlob": {**cooled, **deleted()},
                    "version": deleted(),
                    "snapshot": deleted(),
                },
            },
        }
        for container, cooled in KEPT.items()
    ]
    if rules:
        answers[LIFECYCLE] = (
            200,
            {
                "id": f"{data_id}/managementPolicies/default",
                "name": "DefaultManagementPolicy",
                "type": "Microsoft.Storage/storageAccounts/managementPolicies",
                "properties": {"policy": {"rules": rules}},
            },
        )
    return answers


LIFECYCLE = arm(f"Microsoft.Storage/storageAccounts/{DATA}/managementPolicies/default", live.STORAGE)
ARCHIVE = arm(
    f"Microsoft.Storage/storageAccounts/{DATA}/blobServices/default/containers/audit-archive"
    "/immutabilityPolicies/default",
    live.STORAGE,
)
VAULT = arm(f"Microsoft.KeyVault/vaults/{DEPLOYED.vault}", live.VAULT)
TOPIC_READ = arm(f"Microsoft.EventGrid/topics/{PREFIX}-events", live.EVENTS)
INSIGHTS = arm(f"Microsoft.Insights/components/{PREFIX}-insights", live.INSIGHTS)
SCOPE = arm(f"microsoft.insights/privateLinkScopes/{PREFIX}-ampls", live.PRIVATE_LINK_SCOPES)
SCOPED = arm(f"microsoft.insights/privateLinkScopes/{PREFIX}-ampls/scopedResources", live.PRIVATE_LINK_SCOPES)
QUEUES = arm(f"Microsoft.Storage/storageAccounts/{DATA}/queueServices/default/queues", live.STORAGE)
SUBSCRIPTIONS = arm(f"Microsoft.EventGrid/topics/{PREFIX}-events/eventSubscriptions", live.EVENTS)
ASSIGNMENTS = arm("Microsoft.Authorization/roleAssignments", live.AUTHORIZATION)


# What monitoring.tf sets on each workspace table the logs land in: main.tf's log_days interactive, and its
# total_retention_in_days (the jurisdiction's log retention, as azurerm takes it).
LOG_DAYS = re.search(r"^\s*log_days\s*=\s*(\d+)", MAIN, re.MULTILINE)
MONITORING = (ROOT / "infra" / "monitoring.tf").read_text()
LOG_TOTAL_DAYS = re.search(r"total_retention_in_days\s*=\s*(\d+)", MONITORING)
assert LOG_DAYS
assert LOG_TOTAL_DAYS
WORKSPACE = f"{GROUP}/providers/Microsoft.OperationalInsights/workspaces/{PREFIX}-logs"


def log_table(name: str) -> str:
    path = f"Microsoft.OperationalInsights/workspaces/{PREFIX}-logs/tables/{name}"
    return arm(path, live.LOG_TABLES_VERSION)


def log_tables() -> Answers:
    """Tables - Get of each table the logs land in https://learn.microsoft.com/rest/api/loganalytics/tables/get"""
    total = int(LOG_TOTAL_DAYS.group(1))
    interactive = int(LOG_DAYS.group(1))
    return {
        log_table(name): (
            200,
            {
                "id": f"{WORKSPACE}/tables/{name}",
                "name": name,
                "properties": {
                    "plan": "Analytics",
                    "retentionInDays": interactive,
                    "totalRetentionInDays": total,
                    "archiveRetentionInDays": total - interactive,
                    "retentionInDaysAsDefault": False,
                    "totalRetentionInDaysAsDefault": False,
                    "provisioningState": "Succeeded",
                },
            },
        )
        for name in DEPLOYED.log_tables
    }


def audited(answers: Answers) -> tuple[dict[str, Any], RecordedArm]:
    transport = RecordedArm(answers)
    results = run("azure", DEPLOYED, Reader(transport, io.StringIO()), live.LIVE, live.OFFLINE_ONLY)
    return {result.id: result for result in results}, transport


def failed(answers: Answers) -> dict[str, list[str]]:
    results, _ = audited(answers)
    return {control: result.problems for control, result in results.items() if result.problems}


def test_a_compliant_stage_passes_every_control_read_live() -> None:
    results, transport = audited(compliant())

    assert {c: r.problems for c, r in results.items() if r.problems} == {}
    assert {c for c, r in results.items() if r.verdict == "passed"} == set(live.LIVE)
    assert {c for c, r in results.items() if r.verdict == "offline only"} == set(live.OFFLINE_ONLY)
    assert site("api") in transport.asked
    assert ARCHIVE in transport.asked
    assert f"{ASSIGNMENTS}&$skipToken=page2" in transport.asked
    assert len(transport.asked) == len(set(transport.asked)), "each resource is read once per run"


def test_the_controls_are_the_offline_controls_with_their_areas() -> None:
    results, _ = audited(compliant())
    offline = offline_controls("azure")

    assert list(results) == [control.id for control in offline]
    assert [r.cites for r in results.values()] == [control.cites() for control in offline]
    assert set(live.LIVE) | set(live.OFFLINE_ONLY) == {control.id for control in offline}


def test_the_lake_kept_longer_than_the_retention_is_found_live() -> None:
    if "reporting" not in DEPLOYED.apps:  # no reports container: no rule of its own is read
        results, _ = audited(compliant())
        assert results["lake-retention"].verdict == "passed"
        return
    answers = compliant()

    # A year past the retention, whatever the jurisdiction's (us-nj's is ten years: 3650 days).
    longer = DEPLOYED.retention_days + 365

    def kept_a_year_longer(policy: dict[str, Any]) -> None:
        rule = next(r for r in policy["properties"]["policy"]["rules"] if r["name"] == "reports-retention")
        rule["definition"]["actions"]["baseBlob"] = {"delete": {"daysAfterCreationGreaterThan": longer}}
        rule["definition"]["filters"]["prefixMatch"] = ["reports/ggr/"]

    assert failed(drift(answers, LIFECYCLE, kept_a_year_longer))["lake-retention"] == [
        f"lifecycle rule reports-retention: baseBlob deleted after {longer} days, "
        f"the retention is {DEPLOYED.retention_days}",
        f"lifecycle policy of {DATA}: no enabled rule deletes the reports container",
    ]


def test_the_ledger_exports_kept_past_the_retention_or_forever_are_found_live() -> None:
    # No exports container (no scheduled jobs, or no hosted wallet's ledger): nothing is exported.
    if "exports" not in DEPLOYED.kept:
        results, transport = audited(compliant())
        assert results["lake-retention"].verdict == "passed"
        assert ("reporting" in DEPLOYED.apps) == (LIFECYCLE in transport.asked)
        return
    answers = compliant()

    def exports_rule(policy: dict[str, Any]) -> dict[str, Any]:
        rules: list[dict[str, Any]] = policy["properties"]["policy"]["rules"]
        return next(rule for rule in rules if rule["name"] == "exports-retention")

    def versions_kept_longer(policy: dict[str, Any]) -> None:
        exports_rule(policy)["definition"]["actions"]["version"]["delete"][
            "daysAfterCreationGreaterThan"
        ] += 365

    def snapshots_kept(policy: dict[str, Any]) -> None:
        del exports_rule(policy)["definition"]["actions"]["snapshot"]

    def rule_removed(policy: dict[str, Any]) -> None:
        policy["properties"]["policy"]["rules"].remove(exports_rule(policy))

    retention = DEPLOYED.retention_days
    assert failed(drift(answers, LIFECYCLE, versions_kept_longer))["lake-retention"] == [
        f"lifecycle rule exports-retention: version deleted after {retention + 365} days, "
        f"the retention is {retention}"
    ]
    assert failed(drift(answers, LIFECYCLE, snapshots_kept))["lake-retention"] == [
        f"lifecycle rule exports-retention: snapshot deleted after None days, the retention is {retention}"
    ]
    assert failed(drift(answers, LIFECYCLE, rule_removed))["lake-retention"] == (
        [f"lifecycle policy of {DATA}: no enabled rule deletes the exports container"]
    )
    without_policy = {address: answer for address, answer in answers.items() if address != LIFECYCLE}
    assert failed(without_policy)["lake-retention"] == [
        f"lifecycle policy of {DATA}: cannot be read, 404 not found (The Resource at "
        f"'{LIFECYCLE.split('?')[0]}' was not found.)"
    ]


def test_each_table_the_logs_land_in_is_read_live() -> None:
    _, transport = audited(compliant())

    assert DEPLOYED.log_tables, "monitoring.tf keeps the logs in its workspace tables"
    assert {"AppTraces", "AppExceptions", "StorageTableLogs"} <= set(DEPLOYED.log_tables)
    read = [address for address in transport.asked if "/workspaces/" in address and "/tables/" in address]
    assert read == [log_table(name) for name in DEPLOYED.log_tables]


def test_logs_kept_the_default_30_days_fail_log_retention() -> None:
    answers = drift(
        compliant(),
        log_table("AppTraces"),
        lambda t: t["properties"].update(totalRetentionInDays=30, totalRetentionInDaysAsDefault=True),
    )

    required = live._offline("LOG_RETENTION_DAYS")
    assert failed(answers) == {
        "log-retention": [
            f"log table {PREFIX}-logs/AppTraces: keeps logs 30 days in total, "
            f"under the {required} days required"
        ]
    }


def test_a_log_table_missing_from_the_workspace_fails_log_retention() -> None:
    answers = compliant()
    answers.pop(log_table("StorageQueueLogs"))

    assert failed(answers) == {
        "log-retention": [
            f"log table {PREFIX}-logs/StorageQueueLogs: cannot be read, 404 not found (The Resource at "
            f"'{log_table('StorageQueueLogs').split('?')[0]}' was not found.)"
        ]
    }


def test_a_wagering_module_s_app_or_table_deployed_where_the_law_keeps_it_off_fails_no_wagering() -> None:
    from tools.infra_controls_azure import wagering_modules

    wagering = wagering_modules()
    results, transport = audited(compliant())
    assert results["no-wagering"].verdict == "passed"
    if not wagering:  # the jurisdiction lets wagering run in a public cloud region: nothing is read
        assert not any("/tables/Wallet?" in url for url in transport.asked)
        return
    assert site(wagering[0]) in transport.asked  # each app of a wagering module is asked for, 404

    answers = compliant()
    answers[site(wagering[0])] = (200, {"name": f"{PREFIX}-{wagering[0]}", "type": "Microsoft.Web/sites"})
    table = arm(f"Microsoft.Storage/storageAccounts/{DATA}/tableServices/default/tables/Wallet", live.STORAGE)
    answers[table] = (200, {"name": "Wallet"})

    problems = failed(answers)

    assert list(problems) == ["no-wagering"]
    assert any(f"function app of {wagering[0]}: deployed" in problem for problem in problems["no-wagering"])
    assert any("table Wallet of wallet: deployed" in problem for problem in problems["no-wagering"])


def drift(answers: Answers, address: str, change: Callable[[Any], Any]) -> Answers:
    changed = copy.deepcopy(answers)
    change(changed[address][1])
    return changed


def poison_dropped(page: dict[str, Any]) -> None:
    page["value"] = [q for q in page["value"] if q["name"] != f"{DEPLOYED.queues[0]}-poison"]


AUDIT = "audit"  # the audit trail's app: every project has it


@pytest.mark.parametrize(
    ("address", "change", "control", "named"),
    [
        pytest.param(
            site(AUDIT),
            lambda s: s["properties"].update(httpsOnly=False),
            "app-transport",
            f"function app {PREFIX}-{AUDIT}: httpsOnly is not true",
            id="https-only-off",
        ),
        pytest.param(
            site("api", "/config/web"),
            lambda c: c["properties"].update(minTlsVersion="1.0"),
            "app-transport",
            f"function app {PREFIX}-api: minTlsVersion 1.0, expected 1.2 or later",
            id="tls-1.0",
        ),
        pytest.param(
            site("api", "/config/web"),
            lambda c: c["properties"]["cors"].update(allowedOrigins=["*"]),
            "app-transport",
            f"function app {PREFIX}-api: CORS allows any origin (*)",
            id="cors-any-origin",
        ),
        pytest.param(
            site(AUDIT),
            lambda s: s.update(identity={"type": "SystemAssigned", "principalId": "1", "tenantId": TENANT}),
            "app-identity",
            f"function app {PREFIX}-{AUDIT}: identity SystemAssigned, not its own user-assigned one",
            id="system-assigned-identity",
        ),
        pytest.param(
            site("api", "/config/authsettingsV2"),
            lambda a: a["properties"]["platform"].update(enabled=False),
            "app-identity",
            f"function app {PREFIX}-api: authentication is not required",
            id="auth-off",
        ),
        pytest.param(
            site("api", "/config/authsettingsV2"),
            lambda a: a["properties"]["globalValidation"].update(
                unauthenticatedClientAction="AllowAnonymous"
            ),
            "app-identity",
            f"function app {PREFIX}-api: an unauthenticated call is not refused (AllowAnonymous)",
            id="anonymous-allowed",
        ),
        pytest.param(
            site("api", "/config/authsettingsV2"),
            lambda a: a["properties"]["globalValidation"].update(excludedPaths=["/wallet/deposits"]),
            "server-callers",
            f"function app {PREFIX}-api: /wallet/deposits skip App Service Authentication",
            id="deposits-excluded-from-auth",
        ),
        # Only where the API has server callers (the wallet): without them it has no Entra ID provider.
        *(
            [
                pytest.param(
                    site("api", "/config/authsettingsV2"),
                    lambda a: a["properties"]["identityProviders"]["azureActiveDirectory"]["validation"].pop(
                        "defaultAuthorizationPolicy"
                    ),
                    "server-callers",
                    f"function app {PREFIX}-api: Entra ID admits any application of the tenant",
                    id="any-tenant-application-admitted",
                )
            ]
            if DEPLOYED.server_callers
            else []
        ),
        pytest.param(
            site(AUDIT, "/basicPublishingCredentialsPolicies/scm"),
            lambda p: p["properties"].update(allow=True),
            "app-identity",
            f"function app {PREFIX}-{AUDIT}: basic authentication for publishing is not off",
            id="basic-publishing-on",
        ),
        pytest.param(
            VAULT,
            lambda v: v["properties"].update(enablePurgeProtection=None),
            "key-vault",
            f"key vault {DEPLOYED.vault}: enablePurgeProtection is not true",
            id="purge-protection-off",
        ),
        pytest.param(
            VAULT,
            lambda v: v["properties"].update(enableRbacAuthorization=False),
            "key-vault",
            f"key vault {DEPLOYED.vault}: enableRbacAuthorization is not true",
            id="access-policies-not-rbac",
        ),
        pytest.param(
            VAULT,
            lambda v: v["properties"]["networkAcls"].update(defaultAction="Allow"),
            "key-vault",
            f"key vault {DEPLOYED.vault}: network default action is not Deny",
            id="vault-network-open",
        ),
        pytest.param(
            INSIGHTS,
            lambda c: c["properties"].update(publicNetworkAccessForIngestion="Enabled"),
            "private-egress",
            f"application insights {PREFIX}-insights: ingestion over the public network is not Disabled",
            id="telemetry-over-the-internet",
        ),
        pytest.param(
            SCOPE,
            lambda s: s["properties"]["accessModeSettings"].update(ingestionAccessMode="Open"),
            "private-egress",
            f"monitor private link scope {PREFIX}-ampls: ingestion access mode Open, expected PrivateOnly",
            id="monitor-scope-ingestion-open",
        ),
        pytest.param(
            SCOPED,
            lambda page: page["value"].pop(0),
            "private-egress",
            f"monitor private link scope {PREFIX}-ampls: application insights {PREFIX}-insights "
            "is not in the scope",
            id="insights-outside-the-scope",
        ),
        pytest.param(
            TOPIC_READ,
            lambda t: t["properties"].update(publicNetworkAccess="Enabled", privateEndpointConnections=[]),
            "private-egress",
            f"event grid topic {PREFIX}-events: no approved private endpoint",
            id="topic-public-without-endpoint",
        ),
        pytest.param(
            arm(f"Microsoft.Storage/storageAccounts/{DATA}", live.STORAGE),
            lambda a: a["properties"].update(allowSharedKeyAccess=True),
            "storage-encryption",
            f"storage account {DATA}: shared keys are not off",
            id="shared-key-on",
        ),
        pytest.param(
            arm(f"Microsoft.Storage/storageAccounts/{HOST}", live.STORAGE),
            lambda a: a["properties"]["encryption"].update(keySource="Microsoft.Storage"),
            "storage-encryption",
            f"storage account {HOST}: key source Microsoft.Storage",
            id="microsoft-managed-key",
        ),
        pytest.param(
            ARCHIVE,
            lambda p: p["properties"].update(state="Unlocked"),
            "audit-archive-lock",
            f"audit archive {DATA}/audit-archive: policy Unlocked on prod, expected Locked",
            id="archive-unlocked-on-prod",
        ),
        pytest.param(
            ARCHIVE,
            lambda p: p["properties"].update(immutabilityPeriodSinceCreationInDays=1),
            "audit-archive-lock",
            f"audit archive {DATA}/audit-archive: kept 1 days, shorter than the retention's",
            id="archive-period-shortened",
        ),
        pytest.param(
            QUEUES,
            poison_dropped,
            "poison-queues",
            f"queue {DEPLOYED.queues[0]}-poison: not in {DATA}",
            id="poison-queue-missing",
        ),
        pytest.param(
            SUBSCRIPTIONS,
            lambda s: s["value"][0]["properties"].pop("deadLetterWithResourceIdentity"),
            "poison-queues",
            f"event subscription {DEPLOYED.queues[0]}: no dead-letter destination",
            id="event-subscription-without-dead-letters",
        ),
        pytest.param(
            f"{ASSIGNMENTS}&$skipToken=page2",
            lambda page: page["value"].append(
                {
                    "properties": {
                        "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/"
                        "b24988ac-6180-42a0-ab88-20f7382dd24c",
                        "principalId": principal(AUDIT),
                        "principalType": "ServicePrincipal",
                        "scope": GROUP,
                    }
                }
            ),
            "least-privilege-grants",
            f"function app {PREFIX}-{AUDIT}: broad role Contributor on {GROUP}",
            id="contributor-on-the-group",
        ),
    ],
)
def test_each_drift_fails_its_control_naming_the_resource(
    address: str, change: Callable[[Any], Any], control: str, named: str
) -> None:
    answers = drift(compliant(), address, change)

    problems = failed(answers)

    assert list(problems) == [control]
    assert any(named in problem for problem in problems[control]), problems


def test_an_app_missing_from_the_stage_fails_naming_it() -> None:
    answers = compliant()
    answers.pop(site(AUDIT))

    problems = failed(answers)

    expected = f"function app {PREFIX}-{AUDIT}: cannot be read, 404 not found"
    for control in ("app-transport", "app-identity", "least-privilege-grants"):
        assert any(p.startswith(expected) for p in problems[control]), problems[control]


def test_a_forbidden_answer_is_reported_as_forbidden_never_passed() -> None:
    answers = compliant()
    answers[VAULT] = error(
        403,
        "AuthorizationFailed",
        "The client does not have authorization to perform action 'Microsoft.KeyVault/vaults/read'.",
    )

    problems = failed(answers)

    assert list(problems) == ["key-vault"]
    assert problems["key-vault"][0].startswith(
        f"key vault {DEPLOYED.vault}: cannot be read, 403 permission denied"
    )


def test_a_stage_outside_archive_lock_stages_keeps_the_policy_unlocked() -> None:
    deployed = live.deployment(SUBSCRIPTION, STAGE)
    deployed.lock_stages = []
    reader = Reader(RecordedArm(compliant()), io.StringIO())

    results = run("azure", deployed, reader, live.LIVE, live.OFFLINE_ONLY)

    assert [r.problems for r in results if r.id == "audit-archive-lock"] == [
        [
            f"audit archive {DATA}/audit-archive: policy Locked on {STAGE}, expected Unlocked"
            " (archive_lock_stages)"
        ]
    ]


def test_the_report_lists_each_control_and_exits_1_on_drift(capsys: pytest.CaptureFixture[str]) -> None:
    answers = drift(compliant(), VAULT, lambda v: v["properties"].update(enablePurgeProtection=False))

    status = live.audit(SUBSCRIPTION, STAGE, RecordedArm(answers))

    out, progress = capsys.readouterr()
    assert status == 1
    assert out.startswith(f"FAIL audit-live: {PREFIX}-rg, stage {STAGE}")
    assert "    FAILED key-vault: " in out
    assert "    passed app-transport: " in out
    assert "    offline only timer-schedules: " in out
    assert f"  reading key vault {DEPLOYED.vault}" in progress


def test_a_compliant_stage_exits_0() -> None:
    assert live.audit(SUBSCRIPTION, STAGE, RecordedArm(compliant())) == 0


def test_a_malformed_subscription_id_is_refused_naming_the_field(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        live.main(["--subscription", "casino-prod", "--stage", STAGE])

    assert refused.value.code == 2
    assert "--subscription 'casino-prod': a subscription id is a GUID" in capsys.readouterr().err


def test_the_results_are_written_as_json_when_asked(tmp_path: Path) -> None:
    written = tmp_path / "live.json"

    live.audit(SUBSCRIPTION, STAGE, RecordedArm(compliant()), json_path=written)

    rows = json.loads(written.read_text())
    assert {row["id"]: row["verdict"] for row in rows} == {
        **dict.fromkeys(live.LIVE, "passed"),
        **dict.fromkeys(live.OFFLINE_ONLY, "offline only"),
    }
