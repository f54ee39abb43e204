"""make audit-live on GCP (tools/gcp/live.py), on recorded answers of Google's REST APIs.

No emulator serves the admin APIs (Cloud Functions, Firestore Admin, Secret Manager, Cloud KMS, Cloud
Scheduler, the Pub/Sub and Cloud Storage configuration), so the transport answers from recordings: the
JSON each API returns, written from its reference page (cited above each answer). Only the transport is
replaced: the live module reads, pages and judges as it does against the cloud. A compliant project
passes every control it reads; each drift fails the control that guards it, naming the resource; a
403 or a 404 is reported as such, never as a pass.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from tools.gcp import live
from tools.infra_live import Reader, offline_controls, run

ROOT = live.INFRA.parent
PROJECT = "casino-live-4711"
STAGE = "prod"  # a stage of archive_lock_stages: the archive's policy must be locked
NAME_PREFIX = re.search(
    r'variable "name_prefix" \{[^}]*default\s*=\s*"([^"]+)"', (ROOT / "infra" / "variables.tf").read_text()
)
assert NAME_PREFIX
PREFIX = f"{NAME_PREFIX.group(1)}-{STAGE}"
UNIQUE = f"{PREFIX}-{hashlib.sha1(PROJECT.encode()).hexdigest()[:6]}"  # noqa: S324 - main.tf's local.unique
REGION = live.variable_default((ROOT / "infra" / "variables.tf").read_text(), "region")
LOCATION = f"projects/{PROJECT}/locations/{REGION}"
RING = f"{LOCATION}/keyRings/{PREFIX}"
DEPLOYED = live.deployment(PROJECT, STAGE)
LOG_BUCKET = f"{live.LOGGING}/projects/{PROJECT}/locations/global/buckets/_Default"
LOG_RETENTION_DAYS = live._offline("LOG_RETENTION_DAYS")

TABLE = f"{live.BIGQUERY}/projects/{PROJECT}/datasets/{DEPLOYED.analytics_dataset}/tables/"
API_POLICY = f"{live.RUN}/projects/{PROJECT}/locations/{REGION}/services/{PREFIX}-api:getIamPolicy"
GATEWAY = f"api-gateway-{STAGE}@{PROJECT}.iam.gserviceaccount.com"

Answers = dict[str, tuple[int, dict[str, Any]]]


def url(base: str, **params: str) -> str:
    return f"{base}?{urlencode(sorted(params.items()))}" if params else base


def not_found(what: str) -> tuple[int, dict[str, Any]]:
    # Google's error body (https://cloud.google.com/apis/design/errors#http_mapping)
    return 404, {"error": {"code": 404, "message": f"Resource '{what}' was not found", "status": "NOT_FOUND"}}


def forbidden(what: str) -> tuple[int, dict[str, Any]]:
    message = f"Permission denied on resource '{what}' (or it may not exist)."
    return 403, {"error": {"code": 403, "message": message, "status": "PERMISSION_DENIED"}}


class RecordedGoogleApis:
    """A transport answering each GET from the recordings; every URL asked is kept, in order."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def request(self, method: str, address: str, **kwargs: Any) -> requests.Response:
        assert method == "GET", "make audit-live only reads"
        assert kwargs.get("timeout"), "every request has a timeout"
        asked = url(address, **(kwargs.get("params") or {}))
        self.asked.append(asked)
        status, body = self.answers.get(asked) or not_found(asked)
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        return response


def account(function: str) -> str:
    """The function's own service account, as infra/ names it (functions.tf, blocks/function)."""
    label = function.removeprefix(f"{PREFIX}-")
    return f"{'player-api' if label == 'api' else label}-{STAGE}@{PROJECT}.iam.gserviceaccount.com"


def compliant() -> Answers:
    """What a project deployed by infra/ answers, resource by resource."""
    answers: Answers = {}
    for name in DEPLOYED.functions:
        # projects.locations.functions.get
        # https://cloud.google.com/functions/docs/reference/rest/v2/projects.locations.functions
        answers[f"{live.FUNCTIONS}/{LOCATION}/functions/{name}"] = (
            200,
            {
                "name": f"{LOCATION}/functions/{name}",
                "state": "ACTIVE",
                "environment": "GEN_2",
                "kmsKeyName": f"{RING}/cryptoKeys/functions",
                "buildConfig": {"runtime": "python313", "entryPoint": name.rsplit("-", 1)[-1]},
                "serviceConfig": {
                    "service": f"projects/{PROJECT}/locations/{REGION}/services/{name}",
                    "timeoutSeconds": 30,
                    "availableMemory": "256M",
                    "ingressSettings": "ALLOW_ALL" if name == f"{PREFIX}-api" else "ALLOW_INTERNAL_ONLY",
                    "serviceAccountEmail": account(name),
                    "allTrafficOnLatestRevision": True,
                    "uri": f"https://{name}-abc123-ew.a.run.app",
                },
                "updateTime": "2026-11-30T10:00:00.123456Z",
            },
        )
    # projects.locations.services.getIamPolicy: the API's invoker is the gateway's account (gateway.tf)
    # https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services/getIamPolicy
    answers[API_POLICY] = (
        200,
        {
            "version": 1,
            "etag": "BwYhQ2Xr0aE=",
            "bindings": [{"role": "roles/run.invoker", "members": [f"serviceAccount:{GATEWAY}"]}],
        },
    )
    # projects.databases.get https://cloud.google.com/firestore/docs/reference/rest/v1/projects.databases
    answers[f"{live.FIRESTORE}/projects/{PROJECT}/databases/{PREFIX}"] = (
        200,
        {
            "name": f"projects/{PROJECT}/databases/{PREFIX}",
            "uid": "3f1c2a9e-5d7b-4e0a-9b8c-2d4e6f8a0b1c",
            "locationId": REGION,
            "type": "FIRESTORE_NATIVE",
            "concurrencyMode": "PESSIMISTIC",
            "versionRetentionPeriod": "604800s",
            "earliestVersionTime": "2026-11-23T10:00:00Z",
            "pointInTimeRecoveryEnablement": "POINT_IN_TIME_RECOVERY_ENABLED",
            "appEngineIntegrationMode": "DISABLED",
            "deleteProtectionState": "DELETE_PROTECTION_ENABLED",
            "cmekConfig": {
                "kmsKeyName": f"{RING}/cryptoKeys/data",
                "activeKeyVersion": [f"{RING}/cryptoKeys/data/cryptoKeyVersions/1"],
            },
            "etag": "IIrU9fT5mIoDMKHd0fS1mIoD",
        },
    )
    # projects.databases.backupSchedules.list
    # https://cloud.google.com/firestore/docs/reference/rest/v1/projects.databases.backupSchedules
    schedules = f"projects/{PROJECT}/databases/{PREFIX}/backupSchedules"
    answers[f"{live.FIRESTORE}/{schedules}"] = (
        200,
        {
            "backupSchedules": [
                {"name": f"{schedules}/a1b2", "retention": "604800s", "dailyRecurrence": {}},
                {"name": f"{schedules}/c3d4", "retention": "8467200s", "weeklyRecurrence": {"day": "SUNDAY"}},
            ]
        },
    )
    # buckets.list / buckets.get https://cloud.google.com/storage/docs/json_api/v1/buckets
    storage_key = {"defaultKmsKeyName": f"{RING}/cryptoKeys/storage"}
    archive = {
        "kind": "storage#bucket",
        "name": f"{UNIQUE}-audit-archive",
        "location": REGION.upper(),
        "encryption": storage_key,
        "versioning": {"enabled": True},
        "retentionPolicy": {
            "retentionPeriod": str(DEPLOYED.retention_years * 31557600),
            "effectiveTime": "2026-11-30T10:00:00.000Z",
            "isLocked": True,
        },
    }
    others = [
        {
            "kind": "storage#bucket",
            "name": f"{UNIQUE}-{what}",
            "location": REGION.upper(),
            "encryption": storage_key,
        }
        for what in ("access-logs", "sources")
    ]
    # The ledger exports and the reports (where their modules are): versioned, every object and version
    # deleted at the retention's age (with_state ANY sends no isLive).
    kept = [
        {
            "kind": "storage#bucket",
            "name": name,
            "location": REGION.upper(),
            "encryption": storage_key,
            "versioning": {"enabled": True},
            "lifecycle": {
                "rule": [{"action": {"type": "Delete"}, "condition": {"age": DEPLOYED.retention_days}}]
            },
        }
        for name in DEPLOYED.kept_buckets
    ]
    answers[url(f"{live.STORAGE}/b", project=PROJECT, prefix=f"{UNIQUE}-")] = (
        200,
        {"kind": "storage#buckets", "items": [*others, archive, *kept]},
    )
    answers[f"{live.STORAGE}/b/{UNIQUE}-audit-archive"] = (200, archive)
    for bucket in kept:
        answers[f"{live.STORAGE}/b/{bucket['name']}"] = (200, bucket)
    # tables.get https://cloud.google.com/bigquery/docs/reference/rest/v2/tables (expirationMs is a string)
    for table in DEPLOYED.event_tables:
        answers[TABLE + table] = (
            200,
            {
                "kind": "bigquery#table",
                "id": f"{PROJECT}:{DEPLOYED.analytics_dataset}.{table}",
                "tableReference": {
                    "projectId": PROJECT,
                    "datasetId": DEPLOYED.analytics_dataset,
                    "tableId": table,
                },
                "timePartitioning": {
                    "type": "DAY",
                    "field": "publish_time",
                    "expirationMs": str(DEPLOYED.retention_days * 86400000),
                },
            },
        )
    # projects.locations.buckets.get https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.locations.buckets
    answers[LOG_BUCKET] = (
        200,
        {
            "name": f"projects/{PROJECT}/locations/global/buckets/_Default",
            "retentionDays": LOG_RETENTION_DAYS,
            "lifecycleState": "ACTIVE",
        },
    )
    # projects.topics.list https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics
    topics = [f"{PREFIX}-core-events", f"{PREFIX}-audit-archive", f"{NAME_PREFIX.group(1)}-dev-core-events"]
    answers[f"{live.PUBSUB}/projects/{PROJECT}/topics"] = (
        200,
        {
            "topics": [
                {
                    "name": f"projects/{PROJECT}/topics/{topic}",
                    "kmsKeyName": f"{RING}/cryptoKeys/events",
                    "messageStoragePolicy": {"allowedPersistenceRegions": [REGION]},
                }
                for topic in topics
            ]
        },
    )
    # projects.subscriptions.list, in two pages (nextPageToken)
    # https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions
    subscriptions = f"{live.PUBSUB}/projects/{PROJECT}/subscriptions"
    pushing = [
        {
            "name": f"projects/{PROJECT}/subscriptions/{worker}-core",
            "topic": f"projects/{PROJECT}/topics/{PREFIX}-core-events",
            "pushConfig": {
                "pushEndpoint": f"https://{worker}-abc123-ew.a.run.app",
                "oidcToken": {
                    "serviceAccountEmail": f"p-{worker.removeprefix(PREFIX + '-')}-{STAGE}@{PROJECT}.iam"
                },
            },
            "ackDeadlineSeconds": 30,
            "retryPolicy": {"minimumBackoff": "10s", "maximumBackoff": "600s"},
            "deadLetterPolicy": {
                "deadLetterTopic": f"projects/{PROJECT}/topics/{worker}-dead-letters",
                "maxDeliveryAttempts": 5,
            },
            "state": "ACTIVE",
        }
        for worker in DEPLOYED.workers
    ]
    kept = [
        {
            "name": f"projects/{PROJECT}/subscriptions/{worker}-dead-letters",
            "topic": f"projects/{PROJECT}/topics/{worker}-dead-letters",
            "pushConfig": {},
            "ackDeadlineSeconds": 10,
            "state": "ACTIVE",
        }
        for worker in DEPLOYED.workers
    ]
    answers[subscriptions] = (200, {"subscriptions": pushing[:2], "nextPageToken": "page-2"})
    answers[url(subscriptions, pageToken="page-2")] = (200, {"subscriptions": pushing[2:] + kept})
    # projects.secrets.list https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets
    answers[f"{live.SECRETS}/projects/{PROJECT}/secrets"] = (
        200,
        {
            "secrets": [
                {
                    "name": f"projects/123456789012/secrets/{PREFIX}-{caller}-key",
                    "replication": {
                        "userManaged": {
                            "replicas": [
                                {
                                    "location": REGION,
                                    "customerManagedEncryption": {"kmsKeyName": f"{RING}/cryptoKeys/secrets"},
                                }
                            ]
                        }
                    },
                    "createTime": "2026-11-30T10:00:00Z",
                }
                for caller in ("payment-provider", "game-server")
            ],
            "totalSize": 2,
        },
    )
    # projects.locations.jobs.list https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs
    answers[f"{live.SCHEDULER}/{LOCATION}/jobs"] = (
        200,
        {
            "jobs": [
                {
                    "name": f"{LOCATION}/jobs/{job}",
                    "schedule": "0 3 * * *",
                    "timeZone": "Etc/UTC",
                    "state": "ENABLED",
                    "httpTarget": {
                        "uri": f"https://{job}-abc123-ew.a.run.app",
                        "httpMethod": "POST",
                        "oidcToken": {"serviceAccountEmail": f"s-{STAGE}@{PROJECT}.iam.gserviceaccount.com"},
                    },
                }
                for job in DEPLOYED.jobs
            ]
        },
    )
    # projects.locations.keyRings.cryptoKeys.list
    # https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys
    answers[f"{live.KMS}/{RING}/cryptoKeys"] = (
        200,
        {
            "cryptoKeys": [
                {
                    "name": f"{RING}/cryptoKeys/{key}",
                    "purpose": "ENCRYPT_DECRYPT",
                    "rotationPeriod": "7776000s",
                    "nextRotationTime": "2027-02-28T10:00:00Z",
                    "versionTemplate": {
                        "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
                        "protectionLevel": "SOFTWARE",
                    },
                }
                for key in DEPLOYED.keys
            ],
            "totalSize": len(DEPLOYED.keys),
        },
    )
    return answers


def audited(answers: Answers) -> tuple[dict[str, Any], RecordedGoogleApis]:
    transport = RecordedGoogleApis(answers)
    results = run("gcp", DEPLOYED, Reader(transport, io.StringIO()), live.LIVE, live.OFFLINE_ONLY)
    return {result.id: result for result in results}, transport


def failed(answers: Answers) -> dict[str, list[str]]:
    results, _ = audited(answers)
    return {control: result.problems for control, result in results.items() if result.problems}


def test_a_compliant_project_passes_every_control_read_live() -> None:
    results, transport = audited(compliant())

    assert {c: r.problems for c, r in results.items() if r.problems} == {}
    assert {c for c, r in results.items() if r.verdict == "passed"} == set(live.LIVE)
    assert {c for c, r in results.items() if r.verdict == "offline only"} == set(live.OFFLINE_ONLY)
    assert f"{live.FUNCTIONS}/{LOCATION}/functions/{PREFIX}-api" in transport.asked
    assert f"{live.FIRESTORE}/projects/{PROJECT}/databases/{PREFIX}" in transport.asked
    assert f"{live.STORAGE}/b/{UNIQUE}-audit-archive" in transport.asked
    assert url(f"{live.PUBSUB}/projects/{PROJECT}/subscriptions", pageToken="page-2") in transport.asked
    assert len(transport.asked) == len(set(transport.asked)), "each resource is read once per run"


def test_the_controls_are_the_offline_controls_with_their_areas() -> None:
    results, _ = audited(compliant())
    offline = offline_controls("gcp")

    assert list(results) == [control.id for control in offline]
    assert [r.cites for r in results.values()] == [control.cites() for control in offline]
    assert set(live.LIVE) | set(live.OFFLINE_ONLY) == {control.id for control in offline}


def drift(answers: Answers, address: str, change: Any) -> Answers:
    changed = copy.deepcopy(answers)
    change(changed[address][1])
    return changed


DATABASE = f"{live.FIRESTORE}/projects/{PROJECT}/databases/{PREFIX}"
API = f"{live.FUNCTIONS}/{LOCATION}/functions/{PREFIX}-api"
AUDIT_TRAIL = f"{live.FUNCTIONS}/{LOCATION}/functions/{PREFIX}-audit-trail"
AUDIT_ARCHIVE = f"{live.FUNCTIONS}/{LOCATION}/functions/{PREFIX}-audit-archive"
ARCHIVE = f"{live.STORAGE}/b/{UNIQUE}-audit-archive"
SUBSCRIPTIONS = f"{live.PUBSUB}/projects/{PROJECT}/subscriptions"
TOPICS = f"{live.PUBSUB}/projects/{PROJECT}/topics"
SECRETS = f"{live.SECRETS}/projects/{PROJECT}/secrets"
KEYS = f"{live.KMS}/{RING}/cryptoKeys"
JOBS = f"{live.SCHEDULER}/{LOCATION}/jobs"


@pytest.mark.parametrize(
    ("address", "change", "control", "named"),
    [
        pytest.param(
            DATABASE,
            lambda d: d.update(pointInTimeRecoveryEnablement="POINT_IN_TIME_RECOVERY_DISABLED"),
            "firestore-recovery",
            f"firestore {PREFIX}: pointInTimeRecoveryEnablement is POINT_IN_TIME_RECOVERY_DISABLED",
            id="pitr-off",
        ),
        pytest.param(
            DATABASE,
            lambda d: d.update(deleteProtectionState="DELETE_PROTECTION_DISABLED"),
            "firestore-recovery",
            "deleteProtectionState is DELETE_PROTECTION_DISABLED",
            id="delete-protection-off",
        ),
        pytest.param(
            DATABASE,
            lambda d: d.pop("cmekConfig"),
            "customer-managed-keys",
            f"firestore {PREFIX}: no cmekConfig",
            id="firestore-google-managed-key",
        ),
        pytest.param(
            AUDIT_TRAIL,
            lambda f: f["serviceConfig"].update(ingressSettings="ALLOW_ALL"),
            "function-ingress",
            f"function {PREFIX}-audit-trail: ingress ALLOW_ALL, expected ALLOW_INTERNAL_ONLY",
            id="worker-ingress-opened",
        ),
        pytest.param(
            API,
            lambda f: f["serviceConfig"].update(ingressSettings="ALLOW_INTERNAL_ONLY"),
            "function-ingress",
            f"function {PREFIX}-api: ingress ALLOW_INTERNAL_ONLY, expected ALLOW_ALL",
            id="api-ingress-closed-to-the-gateway",
        ),
        pytest.param(
            API,
            lambda f: f["serviceConfig"].update(environmentVariables={"LOCAL_SECRET_VALUES": "{}"}),
            "no-local-run-variables",
            f"function {PREFIX}-api: sets LOCAL_SECRET_VALUES, which only a local run may",
            id="local-secrets-deployed",
        ),
        pytest.param(
            AUDIT_ARCHIVE,
            lambda f: f["serviceConfig"].update(
                environmentVariables={"STORAGE_EMULATOR_HOST": "127.0.0.1:9023"}
            ),
            "no-local-run-variables",
            f"function {PREFIX}-audit-archive: sets STORAGE_EMULATOR_HOST, which only a local run may",
            id="local-storage-server-deployed",
        ),
        pytest.param(
            API_POLICY,
            lambda p: p["bindings"].append({"role": "roles/run.invoker", "members": ["allUsers"]}),
            "api-invoker-gateway-only",
            f"service {PREFIX}-api: invokers allUsers, serviceAccount:{GATEWAY}, expected",
            id="api-invokable-by-anyone",
        ),
        pytest.param(
            API_POLICY,
            lambda p: p.update(bindings=[]),
            "api-invoker-gateway-only",
            f"service {PREFIX}-api: invokers none, expected serviceAccount:{GATEWAY} only",
            id="gateway-invoker-removed",
        ),
        pytest.param(
            API,
            lambda f: f["serviceConfig"].update(
                serviceAccountEmail="123456789012-compute@developer.gserviceaccount.com"
            ),
            "service-account-per-function",
            f"function {PREFIX}-api: runs as 123456789012-compute@developer.gserviceaccount.com",
            id="default-compute-identity",
        ),
        pytest.param(
            API,
            lambda f: f["serviceConfig"].update(serviceAccountEmail=account(f"{PREFIX}-audit-trail")),
            "service-account-per-function",
            f"{account(f'{PREFIX}-audit-trail')} runs several functions",
            id="shared-identity",
        ),
        pytest.param(
            SUBSCRIPTIONS,
            lambda page: page["subscriptions"][1].pop("deadLetterPolicy"),
            "subscriptions-dead-letter",
            "-core: no deadLetterPolicy",
            id="subscription-without-dead-letters",
        ),
        pytest.param(
            SUBSCRIPTIONS,
            lambda page: page["subscriptions"][0]["pushConfig"].pop("oidcToken"),
            "subscriptions-dead-letter",
            "-core: pushes without an OIDC token",
            id="push-without-oidc",
        ),
        pytest.param(
            ARCHIVE,
            lambda b: b["retentionPolicy"].update(isLocked=False),
            "audit-archive-lock",
            f"audit archive {UNIQUE}-audit-archive: retention policy unlocked on prod",
            id="archive-unlocked-on-prod",
        ),
        pytest.param(
            ARCHIVE,
            lambda b: b.pop("retentionPolicy"),
            "audit-archive-lock",
            f"audit archive {UNIQUE}-audit-archive: no retention policy",
            id="archive-without-retention",
        ),
        pytest.param(
            SECRETS,
            lambda s: s["secrets"][0].update(replication={"automatic": {}}),
            "secrets-encrypted",
            f"secret {PREFIX}-payment-provider-key: no customer-managed encryption",
            id="secret-google-managed-key",
        ),
        pytest.param(
            TOPICS,
            lambda t: t["topics"][0].pop("messageStoragePolicy"),
            "topics-in-region",
            f"topic {PREFIX}-core-events: messages may be stored in any region",
            id="topic-outside-region",
        ),
        pytest.param(
            KEYS,
            lambda k: k["cryptoKeys"][0].update(rotationPeriod="31536000s"),
            "key-rotation",
            "rotation 31536000s, longer than 90 days",
            id="key-rotated-yearly",
        ),
        pytest.param(
            JOBS,
            lambda j: j["jobs"][0]["httpTarget"].pop("oidcToken"),
            "scheduler-oidc",
            "calls without an OIDC token",
            id="job-without-oidc",
        ),
    ],
)
def test_each_drift_fails_its_control_naming_the_resource(
    address: str, change: Any, control: str, named: str
) -> None:
    answers = drift(compliant(), address, change)

    problems = failed(answers)

    assert list(problems) == [control]
    assert any(named in problem for problem in problems[control]), problems


def test_the_kept_buckets_and_tables_are_those_of_the_chosen_modules() -> None:
    modules = ROOT / "infra" / "modules"
    jobs = modules / "scheduled_jobs" / "main.tf"
    exports = jobs.exists() and '"google_storage_bucket" "exports"' in jobs.read_text(encoding="utf-8")

    assert (f"{UNIQUE}-ledger-exports" in DEPLOYED.kept_buckets) == exports
    assert (f"{UNIQUE}-reports" in DEPLOYED.kept_buckets) == (modules / "reporting").exists()
    assert DEPLOYED.event_tables == (["domain_events"] if (modules / "reporting").exists() else [])
    assert DEPLOYED.retention_days == -(-DEPLOYED.retention_years * 36525 // 100)  # ceil(years x 365.25)


def for_each(name: str, values: list[str]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Parametrize a test over a project's kept stores; where the project keeps none (no reporting and no
    scheduled jobs), the test is not collected at all rather than skipped for an empty parameter set."""

    def mark(test: Callable[..., None]) -> Callable[..., None]:
        if not values:
            vars(test)["__test__"] = False  # pytest collects no function whose __test__ is false
            return test
        return pytest.mark.parametrize(name, values)(test)

    return mark


@pytest.mark.parametrize(
    ("change", "why"),
    [
        pytest.param(lambda c: c.update(age=c["age"] + 1), "kept a day longer", id="older-age"),
        pytest.param(lambda c: c.update(isLive=True), "noncurrent versions kept", id="live-only"),
        pytest.param(lambda c: c.update(matchesPrefix=["daily/"]), "narrowed to a prefix", id="prefix-only"),
    ],
)
@for_each("bucket", DEPLOYED.kept_buckets)
def test_a_kept_bucket_holding_data_past_the_retention_fails_storage_retention(
    bucket: str, change: Any, why: str
) -> None:
    address = f"{live.STORAGE}/b/{bucket}"
    answers = drift(compliant(), address, lambda b: change(b["lifecycle"]["rule"][0]["condition"]))

    problems = failed(answers)

    assert list(problems) == ["storage-retention"], why
    assert problems["storage-retention"][0].startswith(
        f"bucket {bucket}: no lifecycle rule deletes its objects and noncurrent versions after "
        f"{DEPLOYED.retention_days} days"
    ), problems


def test_logs_kept_the_default_30_days_fail_log_retention() -> None:
    answers = drift(compliant(), LOG_BUCKET, lambda b: b.update(retentionDays=30))

    required = LOG_RETENTION_DAYS
    assert failed(answers) == {
        "log-retention": [f"log bucket _Default: keeps logs 30 days, under the {required} days required"]
    }


@for_each("bucket", DEPLOYED.kept_buckets)
def test_a_kept_bucket_without_lifecycle_fails_storage_retention(bucket: str) -> None:
    answers = drift(compliant(), f"{live.STORAGE}/b/{bucket}", lambda b: b.pop("lifecycle"))

    assert failed(answers) == {
        "storage-retention": [
            f"bucket {bucket}: no lifecycle rule deletes its objects and noncurrent versions after "
            f"{DEPLOYED.retention_days} days (action Delete, condition age {DEPLOYED.retention_days} alone); "
            "rules: none"
        ]
    }


@for_each("table", DEPLOYED.event_tables)
def test_event_partitions_kept_forever_fail_storage_retention(table: str) -> None:
    answers = drift(compliant(), TABLE + table, lambda t: t["timePartitioning"].pop("expirationMs"))

    assert failed(answers) == {
        "storage-retention": [
            f"table {DEPLOYED.analytics_dataset}.{table}: partitions never expire, not after the "
            f"retention's {DEPLOYED.retention_days * 86400000} ms ({DEPLOYED.retention_days} days)"
        ]
    }


def test_an_archive_locked_on_a_stage_that_keeps_it_unlocked_fails() -> None:
    deployed = live.deployment(PROJECT, STAGE)
    deployed.lock_stages = []
    results = run(
        "gcp", deployed, Reader(RecordedGoogleApis(compliant()), io.StringIO()), live.LIVE, live.OFFLINE_ONLY
    )

    assert [r.problems for r in results if r.id == "audit-archive-lock"] == [
        [f"audit archive {UNIQUE}-audit-archive: locked on prod, which archive_lock_stages leaves unlocked"]
    ]


def test_a_function_missing_from_the_project_fails_naming_it() -> None:
    answers = compliant()
    answers.pop(AUDIT_TRAIL)

    problems = failed(answers)

    expected = f"function {PREFIX}-audit-trail: cannot be read, 404 not found"
    for control in ("function-ingress", "service-account-per-function", "customer-managed-keys"):
        assert any(p.startswith(expected) for p in problems[control]), problems[control]


def test_a_forbidden_answer_is_reported_as_forbidden_never_passed() -> None:
    answers = compliant()
    answers[DATABASE] = forbidden(f"projects/{PROJECT}/databases/{PREFIX}")

    problems = failed(answers)

    for control in ("firestore-recovery", "customer-managed-keys"):
        assert any(
            f"firestore database {PREFIX}: cannot be read, 403 permission denied" in p
            for p in problems[control]
        )


def test_a_missing_worker_subscription_and_scheduler_job_fail() -> None:
    answers = compliant()
    answers[url(SUBSCRIPTIONS, pageToken="page-2")] = (200, {"subscriptions": []})
    answers[JOBS] = (200, {})

    problems = failed(answers)

    assert (
        f"worker {DEPLOYED.workers[-1]}: no push subscription in the project"
        in problems["subscriptions-dead-letter"]
    )
    assert f"scheduler job {DEPLOYED.jobs[0]}: not in the project" in problems["scheduler-oidc"]


def test_the_report_lists_each_control_and_exits_1_on_drift(capsys: pytest.CaptureFixture[str]) -> None:
    answers = drift(
        compliant(),
        DATABASE,
        lambda d: d.update(pointInTimeRecoveryEnablement="POINT_IN_TIME_RECOVERY_DISABLED"),
    )

    status = live.audit(PROJECT, STAGE, RecordedGoogleApis(answers))

    out, progress = capsys.readouterr()
    assert status == 1
    assert out.startswith(f"FAIL audit-live: project {PROJECT}, stage {STAGE}")
    assert "    FAILED firestore-recovery: " in out
    assert "    passed function-ingress: " in out
    assert "    offline only subscription-filters: " in out
    assert f"  reading firestore database {PREFIX}" in progress


def test_a_compliant_project_exits_0() -> None:
    assert live.audit(PROJECT, STAGE, RecordedGoogleApis(compliant())) == 0


def test_a_malformed_project_id_is_refused_naming_the_field(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        live.main(["--project", "My Project", "--stage", STAGE])

    assert refused.value.code == 2
    assert "--project 'My Project': a project id is 6-30 lower-case letters" in capsys.readouterr().err


def test_the_results_are_written_as_json_when_asked(tmp_path: Path) -> None:
    written = tmp_path / "live.json"

    live.audit(PROJECT, STAGE, RecordedGoogleApis(compliant()), json_path=written)

    rows = json.loads(written.read_text())
    assert {row["id"]: row["verdict"] for row in rows} == {
        **dict.fromkeys(live.LIVE, "passed"),
        **dict.fromkeys(live.OFFLINE_ONLY, "offline only"),
    }
