# The project's core: keys, stores, the function sources and the audit trail. Each casino module's
# own resources are in modules/<module>/ (modules.tf calls the ones this project has).

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app        = "{{ cookiecutter.project_slug }}"
    stage      = var.stage
    managed-by = "terraform"
  }
}

# The same project, region and labels for the API Gateway resources, which only google-beta has.
provider "google-beta" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app        = "{{ cookiecutter.project_slug }}"
    stage      = var.stage
    managed-by = "terraform"
  }
}

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  prefix = "${var.name_prefix}-${var.stage}"
  # Globally unique names (buckets) carry a short hash of the project id rather than the id itself,
  # which would overflow the 63-character limit.
  unique = "${local.prefix}-${substr(sha1(var.project_id), 0, 6)}"
  number = data.google_project.this.number
  # The Google-managed service agents that encrypt and decrypt with this project's keys (CMEK).
  agents = {
    firestore = "serviceAccount:service-${local.number}@gcp-sa-firestore.iam.gserviceaccount.com"
    pubsub    = "serviceAccount:service-${local.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    storage   = "serviceAccount:${data.google_storage_project_service_account.this.email_address}"
    bigquery  = "serviceAccount:${data.google_bigquery_default_service_account.this.email}"
    artifacts = "serviceAccount:service-${local.number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
    secrets   = "serviceAccount:service-${local.number}@gcp-sa-secretmanager.iam.gserviceaccount.com"
    functions = "serviceAccount:service-${local.number}@gcf-admin-robot.iam.gserviceaccount.com"
    run       = "serviceAccount:service-${local.number}@serverless-robot-prod.iam.gserviceaccount.com"
  }
  runtime = "python{{ cookiecutter.python_version | replace('.', '') }}"
  # Functions read the database through roles granted on it alone (an IAM condition on its name).
  database_condition = "resource.name == \"projects/${var.project_id}/databases/${google_firestore_database.casino.name}\""
  retention_years    = {{ manifest.jurisdictions[cookiecutter.jurisdiction].retention_years }}
  lock_archive       = contains(var.archive_lock_stages, var.stage)
  # The same years in days, as the archive's retention_period counts them (365.25 a year), rounded up.
  retention_days = ceil(local.retention_years * 365.25)
}

data "google_storage_project_service_account" "this" {
  project = var.project_id
}

data "google_bigquery_default_service_account" "this" {
  project = var.project_id
}

resource "google_project_service" "apis" {
  for_each = toset([
    "apigateway.googleapis.com",
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudkms.googleapis.com",
    "cloudscheduler.googleapis.com",
    "firestore.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "servicecontrol.googleapis.com",
    "servicemanagement.googleapis.com",
    "storage.googleapis.com",
  ])

  project = var.project_id
  service = each.value
  # Turning an API off on destroy would break whatever else in the project uses it.
  disable_on_destroy = false
}

# ---- Keys (Cloud KMS): one per kind of store, rotated every 90 days, never destroyed by Terraform.

resource "google_kms_key_ring" "casino" {
  project  = var.project_id
  name     = local.prefix
  location = var.region

  depends_on = [google_project_service.apis]
}

resource "google_kms_crypto_key" "keys" {
  for_each = toset(["data", "events", "storage", "functions", "secrets", "analytics"])

  name            = each.value
  key_ring        = google_kms_key_ring.casino.id
  purpose         = "ENCRYPT_DECRYPT"
  rotation_period = "7776000s"

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = "SOFTWARE"
  }

  # A destroyed key makes everything it encrypted unreadable, backups and the audit archive included.
  lifecycle {
    prevent_destroy = true
  }
}

locals {
  # Which service agents use which key: each agent gets encrypt/decrypt on its own key only.
  key_users = {
    firestore = "data"
    pubsub    = "events"
    storage   = "storage"
    bigquery  = "analytics"
    secrets   = "secrets"
    artifacts = "functions"
    functions = "functions"
    run       = "functions"
  }
}

resource "google_kms_crypto_key_iam_member" "agents" {
  for_each = local.key_users

  crypto_key_id = google_kms_crypto_key.keys[each.value].id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = local.agents[each.key]
}

# ---- Firestore: the casino's database (native mode), encrypted with the data key.

resource "google_firestore_database" "casino" {
  project                           = var.project_id
  name                              = local.prefix
  location_id                       = var.region
  type                              = "FIRESTORE_NATIVE"
  concurrency_mode                  = "PESSIMISTIC"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  # terraform destroy leaves the database (and its players' money) in place.
  deletion_policy = "ABANDON"

  cmek_config {
    kms_key_name = google_kms_crypto_key.keys["data"].id
  }

  depends_on = [google_kms_crypto_key_iam_member.agents]
}

# Firestore keeps a daily backup at most 7 days and a weekly one at most 14 weeks: one schedule of each
# (a database takes one of each), on top of point-in-time recovery's last 7 days.
resource "google_firestore_backup_schedule" "daily" {
  project   = var.project_id
  database  = google_firestore_database.casino.name
  retention = "604800s"

  daily_recurrence {}
}

resource "google_firestore_backup_schedule" "weekly" {
  project   = var.project_id
  database  = google_firestore_database.casino.name
  retention = "8467200s"

  weekly_recurrence {
    day = "SUNDAY"
  }
}

# ---- Cloud Storage: access logs, function sources, the audit archive.

resource "google_storage_bucket" "access_logs" {
  # checkov:skip=CKV_GCP_62: this is the access-log bucket the other buckets log to; logging it to itself would loop
  project                     = var.project_id
  name                        = "${local.unique}-access-logs"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = google_kms_crypto_key.keys["storage"].id
  }

  lifecycle_rule {
    condition {
      age = {{ manifest.jurisdictions[cookiecutter.jurisdiction].log_retention_days }}
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.agents]
}

resource "google_storage_bucket" "sources" {
  project                     = var.project_id
  name                        = "${local.unique}-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = google_kms_crypto_key.keys["storage"].id
  }

  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }

  depends_on = [google_kms_crypto_key_iam_member.agents]
}

# The audit trail's write-once archive: a retention policy for {{ cookiecutter.jurisdiction }}'s {{ manifest.jurisdictions[cookiecutter.jurisdiction].retention_years }} years.
# Locking it is irreversible (the bucket and every object stay until the period ends, whatever anyone
# does), so only the stages in archive_lock_stages (prod) lock it; other stages keep one unlocked day,
# so a dev stage can be torn down, as the AWS flavour's GOVERNANCE mode allows.
resource "google_storage_bucket" "audit_archive" {
  project                     = var.project_id
  name                        = "${local.unique}-audit-archive"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = google_kms_crypto_key.keys["storage"].id
  }

  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }

  retention_policy {
    is_locked        = local.lock_archive
    retention_period = local.lock_archive ? local.retention_years * 31557600 : 86400
  }

  depends_on = [google_kms_crypto_key_iam_member.agents]
}

# ---- Function images and their builder.

resource "google_artifact_registry_repository" "functions" {
  project       = var.project_id
  location      = var.region
  repository_id = "${local.prefix}-functions"
  description   = "Images of the project's Cloud Run functions"
  format        = "DOCKER"
  kms_key_name  = google_kms_crypto_key.keys["functions"].id

  depends_on = [google_kms_crypto_key_iam_member.agents]
}

resource "google_service_account" "builder" {
  project      = var.project_id
  account_id   = "builder-${var.stage}"
  display_name = "Builds the functions"
  description  = "Cloud Build identity of the function builds: reads the sources, pushes the images, writes build logs."
}

resource "google_storage_bucket_iam_member" "builder_reads_sources" {
  bucket = google_storage_bucket.sources.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.builder.email}"
}

resource "google_artifact_registry_repository_iam_member" "builder_pushes_images" {
  project    = var.project_id
  location   = var.region
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.builder.email}"
}

# Logs have no resource to grant on: writing them is a project role (not a primitive one).
resource "google_project_iam_member" "builder_writes_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.builder.email}"
}

locals {
  # What every function's block needs to build and encrypt it: archives are <function>-<version>.zip.
  code = {
    source_bucket           = google_storage_bucket.sources.name
    builder_service_account = google_service_account.builder.id
    docker_repository       = google_artifact_registry_repository.functions.id
    kms_key_name            = google_kms_crypto_key.keys["functions"].id
  }
}
