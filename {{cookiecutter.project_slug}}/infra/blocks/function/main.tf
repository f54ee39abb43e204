# One Cloud Run function (2nd gen) with its own service account, reachable from inside Google Cloud only:
# the building block of the workers and jobs (the API, behind API Gateway, is in ../../functions.tf). Roles are granted by the caller, on the resources the function uses, never on the project.

terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
}

variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "name" {
  description = "The function's name in Google Cloud (letters, digits and hyphens)."
  type        = string
}

variable "function" {
  description = "The function's key, the same as in the AWS flavour (manifest.yaml, serverless.yml)."
  type        = string
}

variable "account_id" {
  description = "The function's service account id (6 to 30 characters)."
  type        = string
}

variable "description" {
  type = string
}

variable "entry_point" {
  description = "The functions-framework target in the source archive's main.py."
  type        = string
}

variable "runtime" {
  type = string
}

variable "source_bucket" {
  type = string
}

variable "source_object" {
  type = string
}

variable "builder_service_account" {
  description = "The service account Cloud Build uses to build the function (resource name)."
  type        = string
}

variable "docker_repository" {
  description = "The CMEK-encrypted Artifact Registry repository that holds the function's image."
  type        = string
}

variable "kms_key_name" {
  description = "The key that encrypts the function's resources (the repository's key)."
  type        = string
}

variable "memory" {
  type    = string
  default = "256M"
}

variable "timeout_seconds" {
  type    = number
  default = 30
}

variable "max_instances" {
  description = "The function's concurrency cap (the AWS flavour's maximumConcurrency)."
  type        = number
  default     = 5
}

variable "environment" {
  type    = map(string)
  default = {}
}

variable "labels" {
  type    = map(string)
  default = {}
}

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = var.account_id
  display_name = "${var.function} function"
  description  = "Runs the ${var.function} function only: its roles are granted on the resources it uses."
}

resource "google_cloudfunctions2_function" "function" {
  project      = var.project_id
  location     = var.region
  name         = var.name
  description  = var.description
  kms_key_name = var.kms_key_name
  labels       = merge(var.labels, { function = lower(var.function) })

  build_config {
    runtime           = var.runtime
    entry_point       = var.entry_point
    docker_repository = var.docker_repository
    service_account   = var.builder_service_account

    source {
      storage_source {
        bucket = var.source_bucket
        object = var.source_object
      }
    }
  }

  service_config {
    available_memory   = var.memory
    timeout_seconds    = var.timeout_seconds
    max_instance_count = var.max_instances
    min_instance_count = 0
    # Workers and jobs take calls from Pub/Sub, Eventarc and Cloud Scheduler only (internal traffic).
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.function.email
    environment_variables = merge(var.environment, {
      FUNCTION_KEY = var.function
      LOG_FORMAT   = "cloud-logging"
    })
  }
}

output "service_account_email" {
  value = google_service_account.function.email
}

output "service_account_member" {
  value = "serviceAccount:${google_service_account.function.email}"
}

output "name" {
  value = google_cloudfunctions2_function.function.name
}

output "uri" {
  value = google_cloudfunctions2_function.function.service_config[0].uri
}
