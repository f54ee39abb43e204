# A worker: a function fed by direct Pub/Sub push subscriptions (one per event source it listens to),
# each with a retry policy and this worker's dead-letter topic. Not Eventarc triggers: Eventarc owns
# its subscription, which takes no dead-letter policy, so a poison message would be retried until it
# expires instead of being set aside.

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
  description = "Names of this project and stage: <name_prefix>-<stage>."
  type        = string
}

variable "stage" {
  type = string
}

variable "function" {
  description = "The worker's key, the same as in the AWS flavour (manifest.yaml)."
  type        = string
}

variable "label" {
  description = "The worker's kebab-case label (manifest.yaml), at most 13 characters."
  type        = string
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

variable "code" {
  description = "Where the function's code and image go: source bucket and object, builder, repository, key."
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
  default = 30
}

variable "memory" {
  type    = string
  default = "256M"
}

variable "max_instances" {
  type    = number
  default = 5
}

variable "environment" {
  type    = map(string)
  default = {}
}

variable "subscriptions" {
  description = "Per event source: the source's topic (id) and the filter on the events' type attribute."
  type = map(object({
    topic  = string
    filter = string
  }))
}

variable "publish_topics" {
  description = "Topics (ids) the worker publishes its module's events to; empty for a worker that only counts."
  type        = list(string)
  default     = []
}

variable "events_kms_key" {
  description = "The key of the Pub/Sub topics (the dead-letter topic's too)."
  type        = string
}

variable "pubsub_service_agent" {
  description = "The project's Pub/Sub service agent (member), which moves poison messages to the dead-letter topic."
  type        = string
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
  max_instances           = var.max_instances
  environment             = var.environment
  labels                  = var.labels
}

# The identity Pub/Sub signs its pushes with: the only member allowed to invoke the worker.
resource "google_service_account" "pusher" {
  project      = var.project_id
  account_id   = "p-${var.label}-${var.stage}"
  display_name = "Pub/Sub pushes to ${var.function}"
  description  = "Signs the OIDC token of each push to the ${var.function} worker; holds no other role."
}

resource "google_cloud_run_v2_service_iam_member" "pusher_invokes" {
  project  = var.project_id
  location = var.region
  name     = module.function.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.pusher.email}"
}

resource "google_pubsub_topic" "dead_letters" {
  project                    = var.project_id
  name                       = "${var.prefix}-${var.label}-dead-letters"
  kms_key_name               = var.events_kms_key
  message_retention_duration = "604800s"
  labels                     = var.labels

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }
}

# Keeps the dead letters for inspection and replay (a topic alone keeps nothing nobody subscribed to).
resource "google_pubsub_subscription" "dead_letters" {
  project                    = var.project_id
  name                       = "${var.prefix}-${var.label}-dead-letters"
  topic                      = google_pubsub_topic.dead_letters.id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60
  labels                     = var.labels

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "events" {
  for_each = var.subscriptions

  project                    = var.project_id
  name                       = "${var.prefix}-${var.label}-${each.key}"
  topic                      = each.value.topic
  filter                     = each.value.filter
  ack_deadline_seconds       = min(600, max(10, var.timeout_seconds + 10))
  message_retention_duration = "604800s"
  labels                     = var.labels

  push_config {
    push_endpoint = module.function.uri

    oidc_token {
      service_account_email = google_service_account.pusher.email
      audience              = module.function.uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letters.id
    max_delivery_attempts = 5
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_cloud_run_v2_service_iam_member.pusher_invokes]
}

# Dead-lettering needs the Pub/Sub service agent to publish to the dead-letter topic and to
# acknowledge on the source subscription (Pub/Sub documentation: "Dead-letter topics").
resource "google_pubsub_topic_iam_member" "agent_publishes_dead_letters" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letters.name
  role    = "roles/pubsub.publisher"
  member  = var.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "agent_acknowledges" {
  for_each = google_pubsub_subscription.events

  project      = var.project_id
  subscription = each.value.name
  role         = "roles/pubsub.subscriber"
  member       = var.pubsub_service_agent
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

output "dead_letter_subscription" {
  value = google_pubsub_subscription.dead_letters.name
}
