{%- import "gcp/workers.tf" as gcp with context -%}
# The notifications module: its worker tells players about bonuses, limits, reality checks and big
# wins through a channel; the channel here is a Pub/Sub topic the operator's messaging service reads.
{{ gcp.platform() }}

resource "google_pubsub_topic" "channel" {
  project                    = var.platform.project_id
  name                       = "${var.platform.prefix}-notifications-channel"
  kms_key_name               = var.platform.events_kms_key
  message_retention_duration = "604800s"

  message_storage_policy {
    allowed_persistence_regions = [var.platform.region]
  }
}

# Each delivery marker (notification_deliveries/<event>: a notification is sent once) carries
# `expires_at`, 15 days on: the database's TTL policy deletes it after every copy of the event is gone
# (adapters/firestore_notifications.py). Markers are read by id, never queried: no index entries.
resource "google_firestore_field" "delivery_expiry" {
  project    = var.platform.project_id
  database   = var.platform.database
  collection = "notification_deliveries"
  field      = "expires_at"

  index_config {}
  ttl_config {}
}

locals {
  environment = {
    NOTIFICATIONS_CHANNEL_TOPIC = google_pubsub_topic.channel.id
  }
}
{{ gcp.workers("notifications") }}

resource "google_pubsub_topic_iam_member" "notifications_sends" {
  project = var.platform.project_id
  topic   = google_pubsub_topic.channel.name
  role    = "roles/pubsub.publisher"
  member  = module.notifications.service_account_member
}

output "api_environment" {
  description = "Variables the API function reads for this module."
  value       = {}
}
