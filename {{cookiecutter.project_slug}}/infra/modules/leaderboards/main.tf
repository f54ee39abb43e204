{%- import "gcp/workers.tf" as gcp with context -%}
# The leaderboards module (tournament leaderboards and missions, scored from wallet events). Its data are collections of the project's Firestore database.
{{ gcp.platform() }}

# Each applied-event marker (leaderboard_events/<event>: a play is scored once) carries `expires_at`,
# 15 days on: the database's TTL policy deletes it after every copy of the event is gone
# (adapters/firestore_leaderboards.py). Markers are read by id, never queried: no index entries. The
# rankings query `score` of a board window's scores with the automatic single-field index.
resource "google_firestore_field" "applied_event_expiry" {
  project    = var.platform.project_id
  database   = var.platform.database
  collection = "leaderboard_events"
  field      = "expires_at"

  index_config {}
  ttl_config {}
}

locals {
  environment = {}
}
{{ gcp.workers("leaderboards") }}

output "api_environment" {
  description = "Variables the API function reads for this module."
  value       = {}
}
