# Domain events: one Pub/Sub topic per publishing module (and `core` for the API's and deployments'
# events). Topic IAM is per topic, so only a module's own functions can publish its events (the AWS
# flavour's events:source condition); every worker subscribes to the topics of its sources.
{%- set on = enabled_modules(cookiecutter) %}

locals {
  # A stand-in publishes the module it replaces on that module's topic (hybrid mode: the wallet's events).
  topic_names = ["core"{% for name in on %}, "{{ name }}"{% endfor %}{% for name in stand_ins(cookiecutter) %}, "{{ name }}"{% endfor %}]
}

resource "google_pubsub_topic" "events" {
  for_each = toset(local.topic_names)

  project                    = var.project_id
  name                       = "${local.prefix}-${each.value}-events"
  kms_key_name               = google_kms_crypto_key.keys["events"].id
  message_retention_duration = "604800s"

  # Messages are stored in the project's region only (residency: {{ manifest.jurisdictions[cookiecutter.jurisdiction].rule }}).
  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_kms_crypto_key_iam_member.agents]
}

# The audit trail's records on their way to the write-once archive.
resource "google_pubsub_topic" "audit_archive" {
  project                    = var.project_id
  name                       = "${local.prefix}-audit-archive"
  kms_key_name               = google_kms_crypto_key.keys["events"].id
  message_retention_duration = "604800s"

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_kms_crypto_key_iam_member.agents]
}

locals {
  topics = { for name, topic in google_pubsub_topic.events : name => topic.id }
  # Every module and block gets the platform it is built on in one value.
  platform = {
    project_id           = var.project_id
    region               = var.region
    stage                = var.stage
    prefix               = local.prefix
    unique               = local.unique
    runtime              = local.runtime
    code                 = local.code
    source_version       = var.source_version
    topics               = local.topics
    events_kms_key       = google_kms_crypto_key.keys["events"].id
    storage_kms_key      = google_kms_crypto_key.keys["storage"].id
    secrets_kms_key      = google_kms_crypto_key.keys["secrets"].id
    analytics_kms_key    = google_kms_crypto_key.keys["analytics"].id
    pubsub_service_agent = local.agents["pubsub"]
    database             = google_firestore_database.casino.name
    database_condition   = local.database_condition
    access_logs_bucket   = google_storage_bucket.access_logs.name
    api_member           = "serviceAccount:${google_service_account.api.email}"
    server_client_ids    = var.server_client_ids
    retention_days       = local.retention_days
    environment = {
      GOOGLE_CLOUD_PROJECT = var.project_id
      FIRESTORE_DATABASE   = google_firestore_database.casino.name
      STAGE                = var.stage
    }
  }
}
