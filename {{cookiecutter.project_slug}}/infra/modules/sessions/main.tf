{%- import "gcp/workers.tf" as gcp with context -%}
# The sessions module (sign-in, heartbeat and session end: its worker adds wallet bets and wins to the session's activity). Its data are collections of the project's Firestore database.
{{ gcp.platform() }}

locals {
  environment = {}
}

# Each session's activity markers (sessions/<session>/activity/<event>: an event's totals are added
# once) carry `expires_at`, 15 days on: the database's TTL policy deletes them after every copy of the
# event is gone (adapters/firestore_sessions.py). They are read by id, never queried: no index entries.
resource "google_firestore_field" "activity_expiry" {
  project    = var.platform.project_id
  database   = var.platform.database
  collection = "activity"
  field      = "expires_at"

  index_config {}
  ttl_config {}
}
{{ gcp.workers("sessions") }}

output "api_environment" {
  description = "Variables the API function reads for this module."
  value       = {}
}
