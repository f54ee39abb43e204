{%- import "gcp/workers.tf" as gcp with context -%}
# The reporting module: every wallet event goes, with no code, through a Pub/Sub BigQuery subscription
# into a day-partitioned table of a CMEK dataset (the AWS flavour's Firehose, S3 and Athena); the
# ggrTotals worker counts the daily GGR and the dailyReport job writes the day's report to a bucket.
{{ gcp.platform() }}

resource "google_storage_bucket" "reports" {
  project                     = var.platform.project_id
  name                        = "${var.platform.unique}-reports"
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

  # The daily reports: each object, and each of its noncurrent versions (with_state ANY: age counts from a
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

resource "google_bigquery_dataset" "analytics" {
  project     = var.platform.project_id
  dataset_id  = replace("${var.platform.prefix}_analytics", "-", "_")
  location    = var.platform.region
  description = "Domain events for reporting (written by a Pub/Sub BigQuery subscription)"

  default_encryption_configuration {
    kms_key_name = var.platform.analytics_kms_key
  }
}

resource "google_bigquery_table" "domain_events" {
  project             = var.platform.project_id
  dataset_id          = google_bigquery_dataset.analytics.dataset_id
  table_id            = "domain_events"
  description         = "One row per wallet event, as Pub/Sub wrote it (write_metadata)"
  deletion_protection = true

  # Each day's events (player ids and amounts) are deleted with their partition once the jurisdiction's
  # retention has passed (storage-retention).
  time_partitioning {
    type          = "DAY"
    field         = "publish_time"
    expiration_ms = var.platform.retention_days * 86400000
  }

  encryption_configuration {
    kms_key_name = var.platform.analytics_kms_key
  }

  # The columns a BigQuery subscription writes with write_metadata and no topic schema.
  schema = jsonencode([
    { name = "subscription_name", type = "STRING", mode = "NULLABLE" },
    { name = "message_id", type = "STRING", mode = "NULLABLE" },
    { name = "publish_time", type = "TIMESTAMP", mode = "NULLABLE" },
    { name = "data", type = "STRING", mode = "NULLABLE" },
    { name = "attributes", type = "STRING", mode = "NULLABLE" },
  ])
}

# The Pub/Sub service agent writes the rows: data editor on this table only.
resource "google_bigquery_table_iam_member" "agent_writes_events" {
  project    = var.platform.project_id
  dataset_id = google_bigquery_dataset.analytics.dataset_id
  table_id   = google_bigquery_table.domain_events.table_id
  role       = "roles/bigquery.dataEditor"
  member     = var.platform.pubsub_service_agent
}

resource "google_pubsub_topic" "analytics_dead_letters" {
  project                    = var.platform.project_id
  name                       = "${var.platform.prefix}-analytics-dead-letters"
  kms_key_name               = var.platform.events_kms_key
  message_retention_duration = "604800s"

  message_storage_policy {
    allowed_persistence_regions = [var.platform.region]
  }
}

resource "google_pubsub_subscription" "analytics_dead_letters" {
  project                    = var.platform.project_id
  name                       = "${var.platform.prefix}-analytics-dead-letters"
  topic                      = google_pubsub_topic.analytics_dead_letters.id
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "analytics" {
  project = var.platform.project_id
  name    = "${var.platform.prefix}-analytics"
  topic   = var.platform.topics["wallet"]

  bigquery_config {
    table          = "${google_bigquery_table.domain_events.project}.${google_bigquery_dataset.analytics.dataset_id}.${google_bigquery_table.domain_events.table_id}"
    write_metadata = true
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.analytics_dead_letters.id
    max_delivery_attempts = 5
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_bigquery_table_iam_member.agent_writes_events]
}

resource "google_pubsub_topic_iam_member" "agent_publishes_analytics_dead_letters" {
  project = var.platform.project_id
  topic   = google_pubsub_topic.analytics_dead_letters.name
  role    = "roles/pubsub.publisher"
  member  = var.platform.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "agent_acknowledges_analytics" {
  project      = var.platform.project_id
  subscription = google_pubsub_subscription.analytics.name
  role         = "roles/pubsub.subscriber"
  member       = var.platform.pubsub_service_agent
}

# The counted events' markers (ggr_events/<event id>: a play is added to its day's totals once) carry
# `expires_at`, 15 days on: the database's TTL policy deletes them after every copy of the event is gone
# (adapters/firestore_reporting.py). They are read by id, never queried: no index entries.
resource "google_firestore_field" "counted_event_expiry" {
  project    = var.platform.project_id
  database   = var.platform.database
  collection = "ggr_events"
  field      = "expires_at"

  index_config {}
  ttl_config {}
}

locals {
  environment = {
    # The settings' name for where reports go (settings_reporting.py): the reports bucket here.
    ANALYTICS_BUCKET_NAME = google_storage_bucket.reports.name
  }
}
{{ gcp.workers("reporting") }}

# A re-run of a day writes nothing (the MD5 read first matches); a changed report (a late event counted)
# replaces its objects, which takes get and delete as well as create: objectUser on this bucket only,
# whose versioning keeps every replaced report.
resource "google_storage_bucket_iam_member" "daily_report_writes" {
  bucket = google_storage_bucket.reports.name
  role   = "roles/storage.objectUser"
  member = module.daily_report.service_account_member
}

output "api_environment" {
  description = "Variables the API function reads for this module."
  value       = {}
}
