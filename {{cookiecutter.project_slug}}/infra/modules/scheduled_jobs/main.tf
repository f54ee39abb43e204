{%- import "gcp/workers.tf" as gcp with context -%}
# The scheduled jobs: reconciliation, stale-session cleanup, the daily ledger export and the retention
# purge, each called by Cloud Scheduler; the export goes to a CMEK bucket of its own.
{{ gcp.platform() }}
{%- if cookiecutter.module_wallet %}

resource "google_storage_bucket" "exports" {
  project                     = var.platform.project_id
  name                        = "${var.platform.unique}-ledger-exports"
  location                    = var.platform.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = var.platform.storage_kms_key
  }

  logging {
    log_bucket = var.platform.access_logs_bucket
  }

  # Ledger exports hold personal and financial data: each object, and each of its noncurrent versions (with_state ANY: age counts from a
  # version's creation), deleted once the jurisdiction's retention has passed (storage-retention).
  lifecycle_rule {
    condition {
      age        = var.platform.retention_days
      with_state = "ANY"
    }
    action {
      type = "Delete"
    }
  }
}

# The ledger export's query: every player's ledger entries (a collection group) by `created_at`, a day's
# range (adapters/firestore_ledger_jobs.py). Firestore keeps single-field indexes for a collection's own
# queries by default, not for a collection group's: this adds it and keeps the collection's.
resource "google_firestore_field" "ledger_created_at" {
  project    = var.platform.project_id
  database   = var.platform.database
  collection = "ledger"
  field      = "created_at"

  index_config {
    indexes {
      order       = "ASCENDING"
      query_scope = "COLLECTION"
    }
    indexes {
      order       = "ASCENDING"
      query_scope = "COLLECTION_GROUP"
    }
  }
}

locals {
  environment = {
    EXPORT_BUCKET_NAME = google_storage_bucket.exports.name
  }
}
{{ gcp.workers("scheduled_jobs") }}

# A rerun of a day replaces its object, which takes delete as well as create (objectCreator cannot):
# objectUser on this bucket only, whose versioning keeps the replaced object as a noncurrent version.
resource "google_storage_bucket_iam_member" "data_export_writes" {
  bucket = google_storage_bucket.exports.name
  role   = "roles/storage.objectUser"
  member = module.data_export.service_account_member
}

output "reconciliation_function" {
  description = "The reconciliation function's service: the mismatch metric counts its lines only (infra/monitoring.tf)."
  value       = module.reconciliation.name
}
{%- else %}

# The hybrid mode: the operator's platform holds the ledger, so the ledger jobs (reconciliation, the
# ledger export), their bucket and their index are not deployed; only the sessions' jobs are.
locals {
  environment = {}
}
{{ gcp.workers("scheduled_jobs") }}
{%- endif %}

output "api_environment" {
  description = "Variables the API function reads for this module."
  value       = {}
}
