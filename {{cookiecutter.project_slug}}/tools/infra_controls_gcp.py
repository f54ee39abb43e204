"""The GCP Terraform's own controls (tools/infra_check.py runs them): what checkov has no check for.

Firestore, Secret Manager, Cloud Scheduler, function ingress and invokers, the API Gateway's routes,
Pub/Sub dead letters, key rotation, the archive's retention lock, the exports', reports' and events'
deletion after that retention, one service account per function, and where the jurisdiction keeps
wagering off public clouds (us-nj: the hybrid mode) no module, resource or route of it.
Each control (CONTROLS, at the end) serves an area of tools/regulation.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from infra_check import Control, Resource, blocks, by_type, value
from tools.regulation import (
    AUTHENTICATION,
    BACKUP,
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

MAX_ROTATION_SECONDS = 90 * 86400
# Members and roles no grant of this project may name.
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
PRIMITIVE_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
# The API's URL is open to API Gateway, which is not a load balancer (api-invoker-gateway-only: the
# gateway's account is its only invoker); every other function takes internal traffic only.
INGRESS = {"api": "ALLOW_ALL"}
INVOKER_ROLES = ("roles/run.invoker", "roles/cloudfunctions.invoker")
INVOKER_GRANTS = (
    "google_cloud_run_v2_service_iam_member",
    "google_cloud_run_v2_service_iam_binding",
    "google_cloud_run_service_iam_member",
    "google_cloud_run_service_iam_binding",
    "google_cloudfunctions2_function_iam_member",
    "google_cloudfunctions2_function_iam_binding",
)
GATEWAY_MEMBER = "serviceAccount:${google_service_account.gateway.email}"
# The gateway's OpenAPI document (a Terraform template, gateway.tf) and the one route without a token.
GATEWAY_OPENAPI = Path("gateway") / "openapi.yaml.tftpl"
OPEN_ROUTES = {("get", "/health")}
DEFINITION_KEYS = ("x-google-issuer", "x-google-jwks_uri", "x-google-audiences")
METHODS = ("get", "put", "post", "delete", "patch", "head")
TEMPLATE_VALUE = re.compile(r"\$\{jsonencode\((\w+)\)\}")
# The longest Firestore keeps a backup of each recurrence (7 days, 14 weeks).
BACKUP_RETENTION_SECONDS = {"daily": 7 * 86400, "weekly": 14 * 7 * 86400}
# The buckets whose objects are kept for the jurisdiction's retention and no longer (Terraform name: the
# deployed name's end, after <unique>-), and what the modules give age and partition expiration (events.tf's
# platform.retention_days, main.tf's local.retention_days).
KEPT_BUCKETS = {"exports": "ledger-exports", "reports": "reports"}
RETENTION_DAYS = "${var.platform.retention_days}"
RETENTION_MS = "${var.platform.retention_days * 86400000}"
MAX_FILTER = 256  # Pub/Sub's limit on a subscription filter, in bytes
# What points a function at the local emulators and the local Cloud Storage server, and the local run's
# secrets, which adapters/secret_manager.py reads instead of Secret Manager beside FIRESTORE_EMULATOR_HOST
# (adapters/cloud_storage.py honours STORAGE_EMULATOR_HOST beside it too): a local run (tools/gcp/dev.py)
# sets them; a deployed function must never carry them.
# The jurisdiction's log retention (tools/jurisdiction.json, from manifest.yaml), at most the 3650 days a
# Cloud Logging bucket keeps.
_JURISDICTION = json.loads((Path(__file__).parent / "jurisdiction.json").read_text(encoding="utf-8"))
LOG_RETENTION_DAYS = min(int(_JURISDICTION["log_retention_days"]), 3650)
# The modules that conduct wagering where the jurisdiction keeps them off public clouds (manifest.yaml:
# residency.wagering_modules; none elsewhere), and the routes each answers at the edge.
WAGERING_MODULES: tuple[str, ...] = tuple(_JURISDICTION.get("wagering_modules", []))
WAGERING_ROUTES: dict[str, tuple[str, ...]] = {
    "wallet": ("/wallet",),
    "responsible_gaming": (
        "/players/me/protection",
        "/players/me/limits",
        "/players/me/self-exclusion",
        "/players/me/cool-off",
        "/players/{player_id}/kyc",
    ),
}
LOCAL_RUN_VARIABLES = (
    "FIRESTORE_EMULATOR_HOST",
    "PUBSUB_EMULATOR_HOST",
    "STORAGE_EMULATOR_HOST",
    "LOCAL_SECRET_VALUES",
)


Modules = list[dict[str, Any]]


def functions(resources: list[Resource]) -> list[Resource]:
    return list(by_type(resources, "google_cloudfunctions2_function"))


def ingress(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Only the API is reached from outside (API Gateway); workers and jobs take internal traffic only."""
    for function in functions(resources):
        service = blocks(function.body, "service_config")
        setting = value(service[0], "ingress_settings") if service else None
        expected = INGRESS.get(function.name, "ALLOW_INTERNAL_ONLY")
        if setting != expected:
            found.append(f"function {function.name}: ingress {setting!r}, expected {expected!r}")


def api_invokers(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """The API function's only invoker is the gateway's service account (its URL is open to the gateway)."""
    if not any(f.name == "api" for f in functions(resources)):
        return
    invokers = [
        r
        for r in resources
        if r.kind == "resource"
        and r.type in INVOKER_GRANTS
        and "google_cloudfunctions2_function.api."
        in str(value(r.body, "name") or value(r.body, "cloud_function"))
    ]
    for grant in invokers:
        role = str(value(grant.body, "role"))
        members = (
            [str(value(grant.body, "member"))]
            if "member" in grant.body
            else list(value(grant.body, "members") or [])
        )
        where = f"{grant.type}.{grant.name}"
        if role not in INVOKER_ROLES:
            continue
        if "for_each" in grant.body or "count" in grant.body:
            found.append(
                f"{where}: invokers of the api function from a list; name the gateway's account alone"
            )
        found.extend(
            f"{where}: api function invoker {member} is not the gateway's account ({GATEWAY_MEMBER})"
            for member in members
            if member != GATEWAY_MEMBER
        )
    if not any(str(value(g.body, "member")) == GATEWAY_MEMBER for g in invokers):
        found.append(f"api function: no invoker grant to the gateway's account ({GATEWAY_MEMBER})")


def gateway_document(config: Resource) -> dict[str, Any]:
    """The gateway's OpenAPI document as Terraform writes it, each ${jsonencode(x)} a placeholder."""
    import yaml  # the scanners' environment has it (a checkov dependency)

    text = (config.path.parent / GATEWAY_OPENAPI).read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(
        TEMPLATE_VALUE.sub(lambda m: json.dumps(f"<{m.group(1)}>"), text)
    )
    return document


def gateway_routes(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """API Gateway is in front of the API; every route but /health needs a token its definitions check."""
    configs = by_type(resources, "google_api_gateway_api_config")
    if not configs:
        found.append("no API Gateway config (google_api_gateway_api_config) in front of the API")
        return
    for config in configs:
        if not (config.path.parent / GATEWAY_OPENAPI).exists():
            found.append(f"api config {config.name}: {GATEWAY_OPENAPI} not found")
            continue
        document = gateway_document(config)
        if document.get("x-google-allow", "configured") != "configured":
            found.append(f"api config {config.name}: x-google-allow lets unlisted routes through")
        if not (document.get("x-google-backend") or {}).get("jwt_audience"):
            found.append(f"api config {config.name}: the backend is called without the gateway's ID token")
        definitions = document.get("securityDefinitions") or {}
        for name, definition in definitions.items():
            missing = [key for key in DEFINITION_KEYS if not definition.get(key)]
            if missing:
                found.append(f"security definition {name}: no {', '.join(missing)}")
        default = document.get("security") or []
        for path, operations in (document.get("paths") or {}).items():
            for method, operation in operations.items():
                if method not in METHODS or (method, path) in OPEN_ROUTES:
                    continue  # a CORS preflight (options) carries no token; the app answers it
                required = operation.get("security", default) or []
                schemes = {scheme for requirement in required for scheme in requirement}
                if not schemes:
                    found.append(f"{method.upper()} {path}: no token required")
                elif undefined := sorted(schemes - set(definitions)):
                    found.append(f"{method.upper()} {path}: undefined security {undefined}")


def own_service_accounts(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Each function names a google_service_account of its own file, and no two functions share one."""
    accounts = [
        (f.path, str(value(b, "service_account_email")))
        for f in functions(resources)
        for b in blocks(f.body, "service_config")
    ]
    for path, account in accounts:
        if "${google_service_account." not in account:
            found.append(f"{path.name}: function runs as {account}, not a service account of its own")
        elif accounts.count((path, account)) > 1:
            found.append(f"{path.name}: {account} runs several functions")


def grants(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """No grant names the public, and none a primitive role (owner, editor, viewer)."""
    for resource in resources:
        member, role = str(value(resource.body, "member")), str(value(resource.body, "role"))
        if any(public in member for public in PUBLIC_MEMBERS):
            found.append(f"{resource.type}.{resource.name}: public member {member}")
        if role in PRIMITIVE_ROLES:
            found.append(f"{resource.type}.{resource.name}: primitive role {role}")


def keys(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Every Cloud KMS key rotates within 90 days and cannot be destroyed by a plan."""
    for key in by_type(resources, "google_kms_crypto_key"):
        rotation = str(value(key.body, "rotation_period") or "")
        if not rotation.endswith("s") or int(rotation[:-1]) > MAX_ROTATION_SECONDS:
            found.append(f"key {key.name}: rotation {rotation!r} longer than 90 days")
        if not any(value(life, "prevent_destroy") is True for life in blocks(key.body, "lifecycle")):
            found.append(f"key {key.name}: no prevent_destroy")


def stores_encrypted(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Functions' sources, topics, buckets and Firestore are encrypted with the project's own keys."""
    for function in functions(resources):
        if not value(function.body, "kms_key_name"):
            found.append(f"function {function.name}: no kms_key_name (CMEK)")
    for topic in by_type(resources, "google_pubsub_topic"):
        if not value(topic.body, "kms_key_name"):
            found.append(f"topic {topic.name}: no kms_key_name (CMEK)")
    for bucket in by_type(resources, "google_storage_bucket"):
        if not blocks(bucket.body, "encryption"):
            found.append(f"bucket {bucket.name}: no default KMS key (CMEK)")
    for database in by_type(resources, "google_firestore_database"):
        if not blocks(database.body, "cmek_config"):
            found.append(f"firestore {database.name}: no cmek_config")


def firestore_recovery(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Firestore in native mode with point-in-time recovery, delete protection and backups kept as
    long as Firestore allows."""
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


def secrets(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Secret Manager keeps the payment keys under the project's own key."""
    for secret in by_type(resources, "google_secret_manager_secret"):
        if "customer_managed_encryption" not in json.dumps(secret.body):
            found.append(f"secret {secret.name}: no customer-managed encryption")


def scheduler(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Cloud Scheduler calls a job with an OIDC token of its own service account."""
    for job in by_type(resources, "google_cloud_scheduler_job"):
        targets = blocks(job.body, "http_target")
        if not targets or not blocks(targets[0], "oidc_token"):
            found.append(f"scheduler job {job.name}: calls without an OIDC token")


def dead_letters(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Every pushing subscription retries, dead-letters and pushes with an OIDC token."""
    for subscription in by_type(resources, "google_pubsub_subscription"):
        if not (blocks(subscription.body, "push_config") or blocks(subscription.body, "bigquery_config")):
            continue  # a pull subscription keeping dead letters
        for needed in ("dead_letter_policy", "retry_policy"):
            if not blocks(subscription.body, needed):
                found.append(f"subscription {subscription.name}: no {needed}")
        for push in blocks(subscription.body, "push_config"):
            if not blocks(push, "oidc_token"):
                found.append(f"subscription {subscription.name}: pushes without an OIDC token")


def topics_in_region(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Pub/Sub stores every topic's messages in the stack's region only."""
    for topic in by_type(resources, "google_pubsub_topic"):
        if not blocks(topic.body, "message_storage_policy"):
            found.append(f"topic {topic.name}: messages may be stored outside the region")


def no_wagering(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Where the jurisdiction keeps wagering off public clouds: no module, resource or route of it.

    The AWS flavour's no-wagering-function audit control, on the Terraform: generation refuses the
    wagering modules there (the hybrid mode serves the others); this proves infra/ stayed so after edits.
    """
    for module in modules:
        folder = str(value(module, "source")).rstrip("/").rsplit("/", 1)[-1]
        if folder in WAGERING_MODULES:
            found.append(f"module {module['name']}: the Terraform of {folder}, a wagering module")
    for resource in resources:
        parts = resource.path.parts
        owner = parts[parts.index("modules") + 1] if "modules" in parts[:-1] else None
        if owner in WAGERING_MODULES:
            found.append(
                f"{resource.type}.{resource.name} (modules/{owner}): a resource of a wagering module"
            )
    for config in by_type(resources, "google_api_gateway_api_config"):
        if not (config.path.parent / GATEWAY_OPENAPI).exists():
            continue
        for path, operations in (gateway_document(config).get("paths") or {}).items():
            for wagering in WAGERING_MODULES:
                prefixes = WAGERING_ROUTES.get(wagering, ())
                if any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes):
                    methods = ", ".join(sorted(m.upper() for m in operations if m in METHODS))
                    found.append(f"{methods} {path}: a route of {wagering}")


def archive_lock(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """The audit archive keeps the jurisdiction's retention, its lock following archive_lock_stages."""
    archive = [b for b in by_type(resources, "google_storage_bucket") if b.name == "audit_archive"]
    if not archive or not blocks(archive[0].body, "retention_policy"):
        found.append("audit archive: no retention policy")
        return
    lock = str(value(blocks(archive[0].body, "retention_policy")[0], "is_locked"))
    if "lock_archive" not in lock:
        found.append(f"audit archive: is_locked {lock!r} does not follow archive_lock_stages")


def _deletes_after_retention(rule: dict[str, Any]) -> bool:
    """A Delete rule whose one condition is the retention's age, on live objects and noncurrent versions."""
    if not any(value(action, "type") == "Delete" for action in blocks(rule, "action")):
        return False
    return any(
        str(value(condition, "age")) == RETENTION_DAYS
        and value(condition, "with_state") == "ANY"
        and not set(condition) - {"age", "with_state", "__start_line__", "__end_line__"}
        for condition in blocks(rule, "condition")
    )


def storage_retention(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """The ledger exports and the reports, with every noncurrent version, and the event table's partitions
    are deleted once the jurisdiction's retention has passed, not kept longer."""
    for bucket in by_type(resources, "google_storage_bucket"):
        if bucket.name in KEPT_BUCKETS and not any(
            _deletes_after_retention(rule) for rule in blocks(bucket.body, "lifecycle_rule")
        ):
            found.append(
                f"bucket {bucket.name}: no lifecycle rule deletes its objects and noncurrent versions after "
                "the retention (action Delete; condition age = var.platform.retention_days, "
                'with_state = "ANY", nothing narrower)'
            )
    for table in by_type(resources, "google_bigquery_table"):
        expirations = [str(value(p, "expiration_ms")) for p in blocks(table.body, "time_partitioning")]
        if expirations != [RETENTION_MS]:
            found.append(
                f"table {table.name}: partitions not deleted after the retention (time_partitioning "
                f"expiration_ms = var.platform.retention_days * 86400000, not {expirations or 'none'})"
            )


def log_retention(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """The project's _Default log bucket keeps logs for the jurisdiction's log retention."""
    buckets = by_type(resources, "google_logging_project_bucket_config")
    defaults = [bucket for bucket in buckets if value(bucket.body, "bucket_id") == "_Default"]
    if not defaults:
        found.append("no google_logging_project_bucket_config for _Default: Cloud Logging keeps logs 30 days")
        return
    days = str(value(defaults[0].body, "retention_days"))
    if not days.isdigit() or int(days) < LOG_RETENTION_DAYS:
        found.append(
            f"log bucket _Default: retention_days {days}, under the {LOG_RETENTION_DAYS} days required"
        )


def no_local_run_variables(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """No resource, nor what a module call hands one, sets a variable of the local run."""
    bodies = [(f"{r.type}.{r.name} ({r.path.name})", r.body) for r in resources]
    bodies += [(f"module {m['name']}", {k: v for k, v in m.items() if k != "path"}) for m in modules]
    for where, body in bodies:
        text = json.dumps(body, default=str)
        for variable in LOCAL_RUN_VARIABLES:
            if variable in text:
                found.append(f"{where}: sets {variable}, which only a local run may")


def filters(resources: list[Resource], modules: Modules, found: list[str]) -> None:
    """Every subscription filter fits Pub/Sub's limit (a longer one fails at deploy)."""
    for module in modules:
        for source, subscription in (value(module, "subscriptions") or {}).items():
            text = str(value(subscription, "filter") if isinstance(subscription, dict) else "")
            if len(text.encode()) > MAX_FILTER:
                found.append(f"module {module['name']}: filter of {source} is {len(text.encode())} bytes")


CONTROLS = (
    Control(
        "function-ingress",
        "Only the API takes traffic from outside (API Gateway); workers and jobs internal only",
        NETWORK,
        ingress,
    ),
    Control(
        "api-invoker-gateway-only",
        "The API function's only invoker is the API Gateway's service account",
        LEAST_PRIVILEGE,
        api_invokers,
    ),
    Control(
        "gateway-routes-authenticated",
        "API Gateway checks a JWT (issuer, JWKS, audiences) on every route but /health",
        AUTHENTICATION,
        gateway_routes,
    ),
    Control(
        "service-account-per-function",
        "Each function runs as a service account of its own",
        LEAST_PRIVILEGE,
        own_service_accounts,
    ),
    Control(
        "no-public-or-primitive-grant",
        "No grant to the public, none of a primitive role",
        LEAST_PRIVILEGE,
        grants,
    ),
    Control(
        "key-rotation",
        "Cloud KMS keys rotate within 90 days and are protected from destroy",
        ENCRYPTION,
        keys,
    ),
    Control(
        "customer-managed-keys",
        "Function sources, topics, buckets and Firestore are encrypted with the project's own keys",
        ENCRYPTION,
        stores_encrypted,
    ),
    Control(
        "firestore-recovery",
        "Firestore: native mode, point-in-time recovery, delete protection, backups",
        BACKUP,
        firestore_recovery,
    ),
    Control("secrets-encrypted", "Secret Manager secrets under the project's own key", SECRETS, secrets),
    Control(
        "no-local-run-variables",
        "No deployed function carries the local run's emulator addresses or secrets",
        SECRETS,
        no_local_run_variables,
    ),
    Control("scheduler-oidc", "Cloud Scheduler calls jobs with an OIDC token", AUTHENTICATION, scheduler),
    Control(
        "subscriptions-dead-letter",
        "Pushing subscriptions retry, dead-letter and push with an OIDC token",
        DELIVERY,
        dead_letters,
    ),
    Control(
        "topics-in-region",
        "Pub/Sub keeps every topic's messages in the stack's region",
        RESIDENCY,
        topics_in_region,
        rule="residency",
    ),
    Control(
        "no-wagering-function",
        "Where the law keeps wagering off public clouds, no module, resource or route of it",
        RESIDENCY,
        no_wagering,
        rule="residency",
    ),
    Control(
        "audit-archive-lock",
        "The audit archive keeps the jurisdiction's retention under a lock that follows archive_lock_stages",
        RECORDS,
        archive_lock,
        rule="retention",
    ),
    Control(
        "storage-retention",
        "Ledger exports, reports and their versions, and the event table's partitions, are deleted after the "
        "jurisdiction's retention",
        RECORDS,
        storage_retention,
    ),
    Control(
        "log-retention",
        f"The project's logs are kept {LOG_RETENTION_DAYS} days (the jurisdiction's log retention)",
        LOGGING,
        log_retention,
        rule="log_retention",
    ),
    Control(
        "subscription-filters",
        "Every subscription filter fits Pub/Sub's 256-byte limit",
        SYSTEM_INTEGRITY,
        filters,
    ),
)


def counted(resources: list[Resource], modules: Modules) -> dict[str, int]:
    """What the report counts beside the controls."""
    return {
        "functions": len(functions(resources)),
        "function_blocks": sum(1 for m in modules if "blocks/" in str(value(m, "source"))),
    }
