{%- import "gcp/workers.tf" as gcp with context -%}
# The scheduled jobs: reconciliation, stale-session cleanup, the daily ledger export and the retention
# purge, each called by Cloud Scheduler; the export goes to a CMEK bucket of its own.
{{ gcp.platform() }}

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
}

locals {
  environment = {
    LEDGER_EXPORT_BUCKET = google_storage_bucket.exports.name
  }
}
{{ gcp.workers("scheduled_jobs") }}

resource "google_storage_bucket_iam_member" "data_export_writes" {
  bucket = google_storage_bucket.exports.name
  role   = "roles/storage.objectCreator"
  member = module.data_export.service_account_member
}

output "api_environment" {
  description = "Variables the API function reads for this module."
  value       = {}
}
