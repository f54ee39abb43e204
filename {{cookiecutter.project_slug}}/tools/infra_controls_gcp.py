"""The GCP Terraform's own controls (tools/infra_check.py runs them): what checkov has no check for.

Firestore, Secret Manager, Cloud Scheduler, function ingress and invokers, Pub/Sub dead letters, key
rotation, the archive's retention lock and one service account per function.
"""

from __future__ import annotations

import json
from typing import Any

from infra_check import Check, Resource, blocks, by_type, value

MAX_ROTATION_SECONDS = 90 * 86400
# Members and roles no grant of this project may name.
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
PRIMITIVE_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
INGRESS = {"api": "ALLOW_INTERNAL_AND_GCLB"}
# The longest Firestore keeps a backup of each recurrence (7 days, 14 weeks).
BACKUP_RETENTION_SECONDS = {"daily": 7 * 86400, "weekly": 14 * 7 * 86400}
MAX_FILTER = 256  # Pub/Sub's limit on a subscription filter, in bytes


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
