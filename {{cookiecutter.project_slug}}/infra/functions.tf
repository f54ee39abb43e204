# The core functions every project has: the player API and the audit trail (append, archive, verify).
# Each casino module's functions are in modules/<module>/.
{%- set on = enabled_modules(cookiecutter) %}
{%- set jurisdiction = manifest.jurisdictions[cookiecutter.jurisdiction] %}
{%- set critical = {} %}
{%- for name in jurisdiction.audit_events %}
{%- set event = manifest.audit_events[name] %}
{%- if event.get("status") != "planned" and (event.module == "core" or module_on(cookiecutter, event.module)) %}
{%- set topic = "core" if event.source in ("api", "deployment") else event.source %}
{%- set clauses = ["attributes.type = \"" ~ name ~ "\""] %}
{%- for key, values in event.get("filter", {}).items() %}{% set _ = clauses.append("attributes." ~ key ~ " = \"" ~ values[0] ~ "\"") %}{% endfor %}
{%- set _ = critical.setdefault(topic, []).append(clauses | join(" AND ") if clauses | length == 1 else "(" ~ clauses | join(" AND ") ~ ")") %}
{%- endif %}
{%- endfor %}

# Its id is 6 to 30 characters whatever the stage's length (1 to 7).
resource "google_service_account" "api" {
  project      = var.project_id
  account_id   = "player-api-${var.stage}"
  display_name = "api function"
  description  = "Runs the player API only: its roles are granted on the resources it uses."
}

# API Gateway reaches the function over its public URL (it is not a load balancer, so internal ingress
# would refuse it); the URL answers only callers holding roles/run.invoker, which the gateway's account
# alone has (gateway.tf).
resource "google_cloudfunctions2_function" "api" {
  # checkov:skip=CKV_GCP_124: API Gateway calls the function's URL from outside the project's network; only the gateway's service account may invoke it (gateway.tf), so the URL refuses every other caller
  project      = var.project_id
  location     = var.region
  name         = "${local.prefix}-api"
  description  = "Player HTTP API (the Flask app through functions-framework)"
  kms_key_name = local.code.kms_key_name
  labels       = { function = "api" }

  build_config {
    runtime           = local.runtime
    entry_point       = "api"
    docker_repository = local.code.docker_repository
    service_account   = local.code.builder_service_account

    source {
      storage_source {
        bucket = local.code.source_bucket
        object = "api-${var.source_version}.zip"
      }
    }
  }

  service_config {
    available_memory   = "512M"
    timeout_seconds    = 30
    max_instance_count = 100
    min_instance_count = 0
    # Callers reach it through API Gateway only: the gateway's account is its only invoker.
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.api.email
    environment_variables = merge(local.platform.environment, local.api_environment, {
      FUNCTION_KEY = "api"
      EVENT_TOPICS = jsonencode(local.topics)
    })
  }
}

# The API publishes the events of every module it serves (each on that module's topic).
resource "google_pubsub_topic_iam_member" "api_publishes" {
  for_each = local.topics

  project = var.project_id
  topic   = each.value
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.api.email}"
}

resource "google_project_iam_member" "api_database" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.api.email}"

  condition {
    title      = "casino-database-only"
    expression = local.database_condition
  }
}

# The critical events of the audit trail of jurisdiction {{ cookiecutter.jurisdiction }}, per topic (manifest.yaml: audit_events).
module "audit_trail" {
  source = "./blocks/worker"

  project_id  = var.project_id
  region      = var.region
  prefix      = local.prefix
  stage       = var.stage
  function    = "auditTrail"
  label       = "audit-trail"
  description = "Appends critical events to the hash-chained audit trail and queues them for the archive"
  entry_point = "audit_trail"
  runtime     = local.runtime
  code        = merge(local.code, { source_object = "auditTrail-${var.source_version}.zip" })
  # One chain, one head: more writers would only retry each other.
  max_instances  = 2
  events_kms_key = local.platform.events_kms_key
  environment = merge(local.platform.environment, {
    AUDIT_ARCHIVE_TOPIC = google_pubsub_topic.audit_archive.id
  })
  publish_topics       = [google_pubsub_topic.audit_archive.id]
  pubsub_service_agent = local.agents["pubsub"]
  subscriptions = {
{%- for topic, clauses in critical.items() %}
    {{ topic }} = {
      topic  = local.topics["{{ topic }}"]
      filter = "{{ clauses | join(" OR ") | replace('"', '\\"') }}"
    }
{%- endfor %}
  }
}

resource "google_project_iam_member" "audit_trail_database" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = module.audit_trail.service_account_member

  condition {
    title      = "casino-database-only"
    expression = local.database_condition
  }
}

module "audit_archive" {
  source = "./blocks/worker"

  project_id     = var.project_id
  region         = var.region
  prefix         = local.prefix
  stage          = var.stage
  function       = "auditArchive"
  label          = "audit-archive"
  description    = "Writes the audit trail's records to the write-once archive (a locked retention policy)"
  entry_point    = "audit_archive"
  runtime        = local.runtime
  code           = merge(local.code, { source_object = "auditArchive-${var.source_version}.zip" })
  max_instances  = 2
  events_kms_key = local.platform.events_kms_key
  environment = merge(local.platform.environment, {
    AUDIT_ARCHIVE_BUCKET = google_storage_bucket.audit_archive.name
  })
  pubsub_service_agent = local.agents["pubsub"]
  subscriptions = {
    trail = {
      topic  = google_pubsub_topic.audit_archive.id
      filter = ""
    }
  }
}

# New objects only: objectCreator cannot overwrite or delete, and the retention policy keeps each one.
resource "google_storage_bucket_iam_member" "audit_archive_writes" {
  bucket = google_storage_bucket.audit_archive.name
  role   = "roles/storage.objectCreator"
  member = module.audit_archive.service_account_member
}

module "verify_audit_trail" {
  source = "./blocks/job"

  project_id      = var.project_id
  region          = var.region
  prefix          = local.prefix
  stage           = var.stage
  function        = "verifyAuditTrail"
  label           = "verify-audit"
  description     = "Walks the audit trail's hash chain and its archive anchors; fails and alerts on a break"
  entry_point     = "verify_audit_trail"
  runtime         = local.runtime
  schedule        = "{{ unix_cron("rate(1 day)") }}"
  code            = merge(local.code, { source_object = "verifyAuditTrail-${var.source_version}.zip" })
  timeout_seconds = 900
  memory          = "512M"
  environment = merge(local.platform.environment, {
    AUDIT_ARCHIVE_BUCKET = google_storage_bucket.audit_archive.name
  })
}

# Read only: the job can report a break, never repair one.
resource "google_project_iam_member" "verify_audit_trail_database" {
  project = var.project_id
  role    = "roles/datastore.viewer"
  member  = module.verify_audit_trail.service_account_member

  condition {
    title      = "casino-database-only"
    expression = local.database_condition
  }
}

resource "google_storage_bucket_iam_member" "verify_audit_trail_lists_archive" {
  bucket = google_storage_bucket.audit_archive.name
  role   = "roles/storage.objectViewer"
  member = module.verify_audit_trail.service_account_member
}
