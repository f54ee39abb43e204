# A scheduled job: a function that Cloud Scheduler calls over HTTPS with an OIDC token of the job's
# own caller identity, the only member allowed to invoke it.

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

variable "prefix" {
  type = string
}

variable "stage" {
  type = string
}

variable "function" {
  description = "The job's key, the same as in the AWS flavour (manifest.yaml)."
  type        = string
}

variable "label" {
  type = string
}

variable "description" {
  type = string
}

variable "entry_point" {
  type = string
}

variable "runtime" {
  type = string
}

variable "schedule" {
  description = "Unix cron, in UTC (converted from the AWS flavour's schedule expression)."
  type        = string
}

variable "code" {
  type = object({
    source_bucket           = string
    source_object           = string
    builder_service_account = string
    docker_repository       = string
    kms_key_name            = string
  })
}

variable "timeout_seconds" {
  type    = number
  default = 300
}

variable "memory" {
  type    = string
  default = "256M"
}

variable "environment" {
  type    = map(string)
  default = {}
}

variable "publish_topics" {
  type    = list(string)
  default = []
}

variable "labels" {
  type    = map(string)
  default = {}
}

module "function" {
  source = "../function"

  project_id              = var.project_id
  region                  = var.region
  name                    = "${var.prefix}-${var.label}"
  function                = var.function
  account_id              = "${var.label}-${var.stage}"
  description             = var.description
  entry_point             = var.entry_point
  runtime                 = var.runtime
  source_bucket           = var.code.source_bucket
  source_object           = var.code.source_object
  builder_service_account = var.code.builder_service_account
  docker_repository       = var.code.docker_repository
  kms_key_name            = var.code.kms_key_name
  timeout_seconds         = var.timeout_seconds
  memory                  = var.memory
  # One run at a time: a job that overlaps itself would do its work twice.
  max_instances = 1
  # The job stops taking new work 30 s before its timeout (gcp_scheduled.py's DeadlineBudget).
  environment = merge(var.environment, { JOB_TIMEOUT_SECONDS = tostring(var.timeout_seconds) })
  labels      = var.labels
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "s-${var.label}-${var.stage}"
  display_name = "Cloud Scheduler calls ${var.function}"
  description  = "Signs the OIDC token of each scheduled call to the ${var.function} job; holds no other role."
}

resource "google_cloud_run_v2_service_iam_member" "scheduler_invokes" {
  project  = var.project_id
  location = var.region
  name     = module.function.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}

resource "google_cloud_scheduler_job" "job" {
  project          = var.project_id
  region           = var.region
  name             = "${var.prefix}-${var.label}"
  description      = var.description
  schedule         = var.schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = "${min(1800, var.timeout_seconds + 30)}s"

  retry_config {
    retry_count          = 2
    min_backoff_duration = "60s"
    max_backoff_duration = "600s"
  }

  http_target {
    http_method = "POST"
    uri         = module.function.uri

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = module.function.uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.scheduler_invokes]
}

resource "google_pubsub_topic_iam_member" "publishes" {
  for_each = toset(var.publish_topics)

  project = var.project_id
  topic   = each.value
  role    = "roles/pubsub.publisher"
  member  = module.function.service_account_member
}

output "service_account_member" {
  value = module.function.service_account_member
}

output "name" {
  value = module.function.name
}
