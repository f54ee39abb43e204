"""make audit-live on GCP: read the deployed project over Google's REST APIs and report drift per control.

    python -m tools.gcp.live --project <project id> [--stage dev] [--json PATH]

Names come from infra/ as Terraform gives them: `<name_prefix>-<stage>` (the database, the key ring,
every function, topic, subscription, secret and scheduler job), buckets `<prefix>-<6 hex of sha1(project
id)>-<what>`. Every request is a GET with the caller's application default credentials (google-auth's
AuthorizedSession, as adapters/secret_manager.py reads secrets): a role that reads the configuration is
enough (infra/README.md lists them). The control ids, titles and areas are tools/infra_controls_gcp.py's.

Exit status: 0 when no control fails, 1 when one does, 2 when it cannot start (no credentials).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.infra_live import (
    INFRA,
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

# The REST endpoints read (each answer's shape is cited where it is read).
FUNCTIONS = "https://cloudfunctions.googleapis.com/v2"
FIRESTORE = "https://firestore.googleapis.com/v1"
SECRETS = "https://secretmanager.googleapis.com/v1"
PUBSUB = "https://pubsub.googleapis.com/v1"
STORAGE = "https://storage.googleapis.com/storage/v1"
KMS = "https://cloudkms.googleapis.com/v1"
SCHEDULER = "https://cloudscheduler.googleapis.com/v1"
RUN = "https://run.googleapis.com/v2"
BIGQUERY = "https://bigquery.googleapis.com/bigquery/v2"
LOGGING = "https://logging.googleapis.com/v2"

MAX_ROTATION_SECONDS = 90 * 86400
SECONDS_PER_YEAR = 31557600  # main.tf's retention_period: years x 365.25 days
MS_PER_DAY = 86400000
# A default identity is shared by every function that names none: never a function's own.
SHARED_IDENTITIES = ("-compute@developer.gserviceaccount.com", "@appspot.gserviceaccount.com")
# A module block of infra/ calling blocks/<kind> and the label its names end in.
BLOCK_CALL = re.compile(r'module\s+"\w+"\s*\{\s*source\s*=\s*"[./]*blocks/(\w+)"(.*?)\n\}', re.DOTALL)
LABEL = re.compile(r'^\s*label\s*=\s*"([a-z0-9-]+)"', re.MULTILINE)
# A function declared in place (not through a block): its name after the prefix.
FUNCTION = re.compile(
    r'resource\s+"google_cloudfunctions2_function"\s+"\w+"\s*\{[^}]*?name\s*=\s*"\$\{[\w.]*prefix\}-([a-z0-9-]+)"',
    re.DOTALL,
)
PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
# gateway.tf: the API Gateway's own service account, the API's only invoker.
GATEWAY_ACCOUNT = re.compile(
    r'resource\s+"google_service_account"\s+"gateway"\s*\{[^}]*account_id\s*=\s*"([^"]+)"'
)
TABLES = re.compile(r'resource\s+"google_bigquery_table"\s+"\w+"\s*\{[^}]*?\btable_id\s*=\s*"(\w+)"')
KEYS = re.compile(r'resource\s+"google_kms_crypto_key"\s+"keys"\s*\{\s*for_each\s*=\s*toset\(\[([^\]]*)\]\)')


@dataclass
class Deployment:
    """What infra/ deploys for one project and stage, by name."""

    project: str
    region: str
    stage: str
    prefix: str
    unique: str
    lock_stages: list[str]
    retention_years: int
    functions: list[str] = field(default_factory=list)
    workers: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    secrets_declared: bool = False
    gateway_account: str = ""
    ingress: dict[str, str] = field(default_factory=dict)
    kept_buckets: list[str] = field(default_factory=list)
    event_tables: list[str] = field(default_factory=list)

    @property
    def location(self) -> str:
        return f"projects/{self.project}/locations/{self.region}"

    @property
    def database(self) -> str:
        return f"projects/{self.project}/databases/{self.prefix}"

    @property
    def archive_bucket(self) -> str:
        return f"{self.unique}-audit-archive"

    @property
    def retention_days(self) -> int:
        """main.tf's local.retention_days: the years in days, 365.25 a year, rounded up."""
        return math.ceil(self.retention_years * 365.25)

    @property
    def analytics_dataset(self) -> str:
        # modules/reporting/main.tf: dataset_id = replace("<prefix>_analytics", "-", "_")
        return f"{self.prefix}_analytics".replace("-", "_")

    def expected_ingress(self, function: str) -> str:
        """The offline control's expectation (INGRESS, by Terraform name) for a deployed name."""
        return self.ingress.get(function.removeprefix(f"{self.prefix}-"), "ALLOW_INTERNAL_ONLY")


def deployment(project: str, stage: str, infra: Path = INFRA) -> Deployment:
    """The names infra/ gives the project's resources on this stage."""
    text = terraform_text(infra)
    prefix = f"{variable_default(text, 'name_prefix')}-{stage}"
    # main.tf: unique = "<prefix>-<substr(sha1(project_id), 0, 6)>" (bucket names are global).
    unique = f"{prefix}-{hashlib.sha1(project.encode()).hexdigest()[:6]}"  # noqa: S324 - a name, not security
    found = Deployment(
        project=project,
        region=variable_default(text, "region"),
        stage=stage,
        prefix=prefix,
        unique=unique,
        lock_stages=list(variable_default(text, "archive_lock_stages")),
        retention_years=int(local_value(text, "retention_years")),
    )
    found.functions = [f"{prefix}-{name}" for name in FUNCTION.findall(text)]
    for kind, body in BLOCK_CALL.findall(text):
        label = LABEL.search(body)
        if label is None:
            continue
        name = f"{prefix}-{label.group(1)}"
        found.functions.append(name)
        (found.workers if kind == "worker" else found.jobs if kind == "job" else []).append(name)
    keys = KEYS.search(text)
    found.keys = re.findall(r'"(\w+)"', keys.group(1)) if keys else []
    found.secrets_declared = '"google_secret_manager_secret"' in text
    found.ingress = dict(_offline("INGRESS"))
    found.kept_buckets = [
        f"{unique}-{end}"
        for name, end in _offline("KEPT_BUCKETS").items()
        if re.search(rf'resource\s+"google_storage_bucket"\s+"{name}"', text)
    ]
    found.event_tables = TABLES.findall(text)
    gateway = GATEWAY_ACCOUNT.search(text)
    if gateway is not None:
        account_id = gateway.group(1).replace("${var.stage}", stage)
        found.gateway_account = f"{account_id}@{project}.iam.gserviceaccount.com"
    return found


def _offline(name: str) -> Any:
    """A constant of the offline controls' module (the one fact, read from there)."""
    offline_controls("gcp")
    return getattr(sys.modules["infra_controls_gcp"], name)


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _ours(deployed: Deployment, name: str) -> bool:
    return _short(name).startswith(f"{deployed.prefix}-")


def _function(reader: Reader, deployed: Deployment, name: str) -> dict[str, Any]:
    # Cloud Functions v2, projects.locations.functions.get: {name, state, serviceConfig: {ingressSettings,
    # serviceAccountEmail, ...}, kmsKeyName, ...}
    # https://cloud.google.com/functions/docs/reference/rest/v2/projects.locations.functions
    return reader.get(f"{FUNCTIONS}/{deployed.location}/functions/{name}", f"function {name}")


def _functions(reader: Reader, deployed: Deployment, found: list[str]) -> dict[str, dict[str, Any]]:
    """Each function infra/ deploys, read; a missing or unreadable one is a finding."""
    read = {}
    for name in deployed.functions:
        try:
            read[name] = _function(reader, deployed, name)
        except Unreadable as error:
            found.append(str(error))
    return read


def function_ingress(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    for name, function in _functions(reader, deployed, found).items():
        setting = function.get("serviceConfig", {}).get("ingressSettings")
        expected = deployed.expected_ingress(name)
        if setting != expected:
            found.append(f"function {name}: ingress {setting}, expected {expected}")


def api_invokers(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    """Who may invoke the API's Cloud Run service: the gateway's account, and no one else."""
    name = f"{deployed.prefix}-api"
    try:
        service = str(_function(reader, deployed, name).get("serviceConfig", {}).get("service") or "")
        if not service:
            found.append(f"function {name}: names no Cloud Run service")
            return
        # Cloud Run Admin v2, projects.locations.services.getIamPolicy (a GET): {version, etag,
        # bindings: [{role, members}]}
        # https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services/getIamPolicy
        policy = reader.get(f"{RUN}/{service}:getIamPolicy", f"IAM policy of service {_short(service)}")
    except Unreadable as error:
        found.append(str(error))
        return
    invokers = sorted(
        {
            member
            for binding in policy.get("bindings", [])
            if binding.get("role") in _offline("INVOKER_ROLES")
            for member in binding.get("members", [])
        }
    )
    expected = f"serviceAccount:{deployed.gateway_account}"
    if invokers != [expected]:
        found.append(
            f"service {_short(service)}: invokers {', '.join(invokers) or 'none'}, expected {expected} only"
        )


def local_run_variables(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    """No deployed function's environment (serviceConfig.environmentVariables) sets a local-run variable."""
    for name, function in _functions(reader, deployed, found).items():
        environment = function.get("serviceConfig", {}).get("environmentVariables") or {}
        for variable in _offline("LOCAL_RUN_VARIABLES"):
            if variable in environment:
                found.append(f"function {name}: sets {variable}, which only a local run may")


def own_service_accounts(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    accounts: dict[str, list[str]] = {}
    for name, function in _functions(reader, deployed, found).items():
        account = str(function.get("serviceConfig", {}).get("serviceAccountEmail") or "")
        if not account or account.endswith(SHARED_IDENTITIES):
            found.append(f"function {name}: runs as {account or 'the default identity'}, not its own account")
            continue
        accounts.setdefault(account, []).append(name)
    for account, names in accounts.items():
        if len(names) > 1:
            found.append(f"{account} runs several functions: {', '.join(sorted(names))}")


def _database(reader: Reader, deployed: Deployment) -> dict[str, Any]:
    # Firestore Admin, projects.databases.get: {name, type, pointInTimeRecoveryEnablement,
    # deleteProtectionState, cmekConfig: {kmsKeyName, activeKeyVersion}, ...}
    # https://cloud.google.com/firestore/docs/reference/rest/v1/projects.databases
    return reader.get(f"{FIRESTORE}/{deployed.database}", f"firestore database {deployed.prefix}")


def _buckets(reader: Reader, deployed: Deployment) -> list[dict[str, Any]]:
    # Cloud Storage JSON API, buckets.list: {items: [{name, encryption: {defaultKmsKeyName},
    # retentionPolicy: {retentionPeriod (seconds, a string), effectiveTime, isLocked}}], nextPageToken}
    # https://cloud.google.com/storage/docs/json_api/v1/buckets
    params = {"project": deployed.project, "prefix": f"{deployed.unique}-"}
    return list(reader.pages(f"{STORAGE}/b", f"buckets {deployed.unique}-*", "items", params))


def _topics(reader: Reader, deployed: Deployment) -> list[dict[str, Any]]:
    # Pub/Sub, projects.topics.list: {topics: [{name, kmsKeyName, messageStoragePolicy:
    # {allowedPersistenceRegions: [...]}}], nextPageToken}
    # https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics
    url = f"{PUBSUB}/projects/{deployed.project}/topics"
    return [
        t for t in reader.pages(url, f"topics {deployed.prefix}-*", "topics") if _ours(deployed, t["name"])
    ]


def stores_encrypted(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    for name, function in _functions(reader, deployed, found).items():
        if not function.get("kmsKeyName"):
            found.append(f"function {name}: no kmsKeyName (CMEK)")
    topics = _topics(reader, deployed)
    if not topics:
        found.append(f"topics {deployed.prefix}-*: none in the project")
    found.extend(
        f"topic {_short(t['name'])}: no kmsKeyName (CMEK)" for t in topics if not t.get("kmsKeyName")
    )
    buckets = _buckets(reader, deployed)
    if deployed.archive_bucket not in {b["name"] for b in buckets}:
        found.append(f"bucket {deployed.archive_bucket}: not in the project")
    for bucket in buckets:
        if not bucket.get("encryption", {}).get("defaultKmsKeyName"):
            found.append(f"bucket {bucket['name']}: no default KMS key (CMEK)")
    if not _database(reader, deployed).get("cmekConfig", {}).get("kmsKeyName"):
        found.append(f"firestore {deployed.prefix}: no cmekConfig (CMEK)")


def firestore_recovery(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    database = _database(reader, deployed)
    wanted = {
        "pointInTimeRecoveryEnablement": "POINT_IN_TIME_RECOVERY_ENABLED",
        "deleteProtectionState": "DELETE_PROTECTION_ENABLED",
        "type": "FIRESTORE_NATIVE",
    }
    found.extend(
        f"firestore {deployed.prefix}: {key} is {database.get(key)}, expected {value}"
        for key, value in wanted.items()
        if database.get(key) != value
    )
    # projects.databases.backupSchedules.list: {backupSchedules: [{name, retention: "604800s",
    # dailyRecurrence: {} | weeklyRecurrence: {day}}]}
    # https://cloud.google.com/firestore/docs/reference/rest/v1/projects.databases.backupSchedules
    schedules = reader.get(f"{FIRESTORE}/{deployed.database}/backupSchedules", "firestore backup schedules")
    kept = _offline("BACKUP_RETENTION_SECONDS")
    recurrences = set()
    for schedule in schedules.get("backupSchedules", []):
        recurrence = "daily" if "dailyRecurrence" in schedule else "weekly"
        recurrences.add(recurrence)
        retention = str(schedule.get("retention", ""))
        seconds = int(retention[:-1]) if retention.endswith("s") and retention[:-1].isdigit() else 0
        if not 0 < seconds <= kept[recurrence]:
            found.append(
                f"backup schedule {_short(schedule['name'])}: retention {retention!r} ({recurrence})"
            )
    found.extend(
        f"firestore {deployed.prefix}: no {r} backup schedule" for r in sorted(set(kept) - recurrences)
    )


def secrets(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Secret Manager, projects.secrets.list: {secrets: [{name, replication: {userManaged: {replicas:
    # [{location, customerManagedEncryption: {kmsKeyName}}]} | automatic: {customerManagedEncryption}}}]}
    # https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets
    url = f"{SECRETS}/projects/{deployed.project}/secrets"
    listed = [
        s for s in reader.pages(url, f"secrets {deployed.prefix}-*", "secrets") if _ours(deployed, s["name"])
    ]
    if deployed.secrets_declared and not listed:
        found.append(f"secrets {deployed.prefix}-*: none in the project")
    for secret in listed:
        replication = secret.get("replication", {})
        replicas = replication.get("userManaged", {}).get("replicas") or [replication.get("automatic", {})]
        if not all(r.get("customerManagedEncryption", {}).get("kmsKeyName") for r in replicas):
            found.append(f"secret {_short(secret['name'])}: no customer-managed encryption")


def scheduler(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Cloud Scheduler, projects.locations.jobs.list: {jobs: [{name, httpTarget: {uri, httpMethod,
    # oidcToken: {serviceAccountEmail, audience}}, state}], nextPageToken}
    # https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs
    url = f"{SCHEDULER}/{deployed.location}/jobs"
    jobs = {_short(j["name"]): j for j in reader.pages(url, f"scheduler jobs {deployed.prefix}-*", "jobs")}
    found.extend(f"scheduler job {name}: not in the project" for name in deployed.jobs if name not in jobs)
    for name, job in jobs.items():
        if name.startswith(f"{deployed.prefix}-") and not job.get("httpTarget", {}).get("oidcToken"):
            found.append(f"scheduler job {name}: calls without an OIDC token")


def dead_letters(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Pub/Sub, projects.subscriptions.list: {subscriptions: [{name, topic, pushConfig: {pushEndpoint,
    # oidcToken: {serviceAccountEmail, audience}}, deadLetterPolicy: {deadLetterTopic, maxDeliveryAttempts},
    # retryPolicy: {minimumBackoff, maximumBackoff}}], nextPageToken}
    # https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions
    url = f"{PUBSUB}/projects/{deployed.project}/subscriptions"
    listed = reader.pages(url, f"subscriptions {deployed.prefix}-*", "subscriptions")
    pushing = [
        s for s in listed if _ours(deployed, s["name"]) and s.get("pushConfig", {}).get("pushEndpoint")
    ]
    for worker in deployed.workers:
        if not any(_short(s["name"]).startswith(f"{worker}-") for s in pushing):
            found.append(f"worker {worker}: no push subscription in the project")
    for subscription in pushing:
        name = _short(subscription["name"])
        for needed in ("deadLetterPolicy", "retryPolicy"):
            if not subscription.get(needed):
                found.append(f"subscription {name}: no {needed}")
        if not subscription["pushConfig"].get("oidcToken"):
            found.append(f"subscription {name}: pushes without an OIDC token")


def topics_in_region(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    topics = _topics(reader, deployed)
    if not topics:
        found.append(f"topics {deployed.prefix}-*: none in the project")
    for topic in topics:
        regions = topic.get("messageStoragePolicy", {}).get("allowedPersistenceRegions") or []
        if regions != [deployed.region]:
            found.append(
                f"topic {_short(topic['name'])}: messages may be stored in {regions or 'any region'}"
            )


def archive_lock(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Cloud Storage JSON API, buckets.get: {name, retentionPolicy: {retentionPeriod, effectiveTime, isLocked}}
    # https://cloud.google.com/storage/docs/json_api/v1/buckets
    name = deployed.archive_bucket
    policy = reader.get(f"{STORAGE}/b/{name}", f"bucket {name}").get("retentionPolicy")
    if not policy:
        found.append(f"audit archive {name}: no retention policy")
        return
    locked, seconds = policy.get("isLocked") is True, int(policy.get("retentionPeriod", 0))
    if deployed.stage in deployed.lock_stages:
        years = deployed.retention_years
        if not locked:
            found.append(
                f"audit archive {name}: retention policy unlocked on {deployed.stage} (archive_lock_stages)"
            )
        if seconds < years * SECONDS_PER_YEAR:
            found.append(f"audit archive {name}: retention {seconds} s, shorter than {years} years")
    elif locked:
        found.append(
            f"audit archive {name}: locked on {deployed.stage}, which archive_lock_stages leaves unlocked"
        )


def _deletes_after(rule: dict[str, Any], days: int) -> bool:
    """A Delete rule whose one condition is the age: it matches live objects and noncurrent versions alike
    (no isLive), and nothing narrower (no prefix, storage class or version count)."""
    action, condition = rule.get("action") or {}, rule.get("condition") or {}
    return action.get("type") == "Delete" and set(condition) == {"age"} and int(condition["age"]) == days


def storage_retention(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Cloud Storage JSON API, buckets.get: {name, versioning: {enabled}, lifecycle: {rule: [{action: {type,
    # storageClass}, condition: {age, isLive, numNewerVersions, daysSinceNoncurrentTime, matchesPrefix,
    # ...}}]}} https://cloud.google.com/storage/docs/json_api/v1/buckets
    days = deployed.retention_days
    for name in deployed.kept_buckets:
        rules = (reader.get(f"{STORAGE}/b/{name}", f"bucket {name}").get("lifecycle") or {}).get("rule", [])
        if not any(_deletes_after(rule, days) for rule in rules):
            found.append(
                f"bucket {name}: no lifecycle rule deletes its objects and noncurrent versions after {days} "
                f"days (action Delete, condition age {days} alone); rules: {rules or 'none'}"
            )
    # BigQuery, tables.get: {tableReference, timePartitioning: {type, field, expirationMs (a string)}, ...}
    # https://cloud.google.com/bigquery/docs/reference/rest/v2/tables
    for table in deployed.event_tables:
        url = f"{BIGQUERY}/projects/{deployed.project}/datasets/{deployed.analytics_dataset}/tables/{table}"
        partitioning = reader.get(url, f"table {table}").get("timePartitioning") or {}
        expiration = str(partitioning.get("expirationMs", ""))
        if expiration != str(days * MS_PER_DAY):
            found.append(
                f"table {deployed.analytics_dataset}.{table}: partitions "
                f"{f'expire after {expiration} ms' if expiration else 'never expire'}, not after the "
                f"retention's {days * MS_PER_DAY} ms ({days} days)"
            )


def log_retention(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Cloud Logging, projects.locations.buckets.get: {name, retentionDays, locked, lifecycleState, ...}
    # https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.locations.buckets
    required = _offline("LOG_RETENTION_DAYS")
    url = f"{LOGGING}/projects/{deployed.project}/locations/global/buckets/_Default"
    days = reader.get(url, "log bucket _Default").get("retentionDays", 0)
    if not isinstance(days, int) or days < required:
        found.append(f"log bucket _Default: keeps logs {days} days, under the {required} days required")


def keys(deployed: Deployment, reader: Reader, found: list[str]) -> None:
    # Cloud KMS, projects.locations.keyRings.cryptoKeys.list: {cryptoKeys: [{name, purpose,
    # rotationPeriod: "7776000s", nextRotationTime}], nextPageToken, totalSize}
    # https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys
    url = f"{KMS}/{deployed.location}/keyRings/{deployed.prefix}/cryptoKeys"
    listed = {_short(k["name"]): k for k in reader.pages(url, f"key ring {deployed.prefix}", "cryptoKeys")}
    found.extend(
        f"key {name}: not in key ring {deployed.prefix}" for name in deployed.keys if name not in listed
    )
    for name, key in listed.items():
        rotation = str(key.get("rotationPeriod", ""))
        seconds = int(rotation[:-1]) if rotation.endswith("s") and rotation[:-1].isdigit() else 0
        if not 0 < seconds <= MAX_ROTATION_SECONDS:
            found.append(f"key {name}: rotation {rotation or 'none'}, longer than 90 days")


LIVE: dict[str, LiveCheck] = {
    "function-ingress": function_ingress,
    "api-invoker-gateway-only": api_invokers,
    "service-account-per-function": own_service_accounts,
    "key-rotation": keys,
    "customer-managed-keys": stores_encrypted,
    "firestore-recovery": firestore_recovery,
    "secrets-encrypted": secrets,
    "no-local-run-variables": local_run_variables,
    "scheduler-oidc": scheduler,
    "subscriptions-dead-letter": dead_letters,
    "topics-in-region": topics_in_region,
    "audit-archive-lock": archive_lock,
    "storage-retention": storage_retention,
    "log-retention": log_retention,
}
OFFLINE_ONLY = {
    "no-public-or-primitive-grant": (
        "the project's IAM policy also holds the people who administer it; who holds what there is the "
        "organisation's access review, not drift from infra/"
    ),
    "subscription-filters": "Pub/Sub cannot change a subscription's filter: infra/'s is the deployed one",
    "gateway-routes-authenticated": (
        "a gateway config cannot be edited, only replaced, and infra/'s is checked offline; reading which "
        "config the deployed gateway serves (apigateway configs.get, view FULL) is not built yet"
    ),
    "no-wagering-function": (
        "a wagering module's functions, routes and resources can only come from infra/, checked offline; "
        "listing every function and gateway config of the project for strays is not built yet"
    ),
}


def session() -> Transport:
    """An AuthorizedSession with the caller's application default credentials."""
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    transport: Transport = AuthorizedSession(credentials)
    return transport


def audit(
    project: str, stage: str, transport: Transport, infra: Path = INFRA, json_path: Path | None = None
) -> int:
    """Read the project, print the report, write it as JSON if asked; 1 if a control failed."""
    deployed = deployment(project, stage, infra)
    print(
        f"Reading project {project}, stage {stage} ({deployed.prefix}-*), region {deployed.region}",
        file=sys.stderr,
    )
    reader = Reader(transport)
    results = run("gcp", deployed, reader, LIVE, OFFLINE_ONLY)
    if json_path is not None:
        write_json(results, json_path)
    return report(results, f"audit-live: project {project}, stage {stage}, {reader.requests} requests")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--project", required=True, help="the Google Cloud project id (make audit-live PROJECT=)"
    )
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if not PROJECT_ID.fullmatch(args.project):
        parser.error(
            f"--project {args.project!r}: a project id is 6-30 lower-case letters, digits or hyphens, "
            "starting with a letter (`gcloud projects list` shows yours)"
        )
    try:
        transport = session()
    except Exception as error:  # google.auth's DefaultCredentialsError and friends: say how to fix it
        print(
            f"make audit-live: no Google credentials ({error}); run `gcloud auth application-default login`",
            file=sys.stderr,
        )
        return 2
    return audit(args.project, args.stage, transport, json_path=args.json)


if __name__ == "__main__":
    sys.exit(main())
