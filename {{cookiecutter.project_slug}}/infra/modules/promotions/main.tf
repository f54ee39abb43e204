{%- import "gcp/workers.tf" as gcp with context -%}
# The promotions module (bonus triggers from wallet events, one grant per player per promotion). Its data are collections of the project's Firestore database.
{{ gcp.platform() }}

# Each counted bet, counted stake and day's bet count (promotion_players/<player>/promotion_counts/...:
# an event is counted once) carries `expires_at`, 15 days on: the database's TTL policy deletes it
# after every copy of the event is gone (adapters/firestore_promotions.py). They are read by id, never
# queried: no index entries.
resource "google_firestore_field" "counts_expiry" {
  project    = var.platform.project_id
  database   = var.platform.database
  collection = "promotion_counts"
  field      = "expires_at"

  index_config {}
  ttl_config {}
}

locals {
  environment = {}
}
{{ gcp.workers("promotions") }}

output "api_environment" {
  description = "Variables the API function reads for this module."
  value       = {}
}
