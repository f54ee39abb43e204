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

# The HMAC key of the players' pseudonyms on the boards (api/leaderboards.py), read by the API only.
# Its value is added outside Terraform (gcloud secrets versions add, infra/README.md), so it never
# reaches the state; until it has a version the standings routes fail closed.
resource "google_secret_manager_secret" "pseudonym_key" {
  project   = var.platform.project_id
  secret_id = "${var.platform.prefix}-leaderboard-pseudonym-key"

  replication {
    user_managed {
      replicas {
        location = var.platform.region

        customer_managed_encryption {
          kms_key_name = var.platform.secrets_kms_key
        }
      }
    }
  }
}

resource "google_secret_manager_secret_iam_member" "api_reads_pseudonym_key" {
  project   = var.platform.project_id
  secret_id = google_secret_manager_secret.pseudonym_key.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.platform.api_member
}

locals {
  environment = {}
}
{{ gcp.workers("leaderboards") }}

output "api_environment" {
  description = "Variables the API function reads for this module: the name of the pseudonyms' key secret, never the key."
  value = {
    LEADERBOARD_PSEUDONYM_KEY_SECRET = google_secret_manager_secret.pseudonym_key.id
  }
}
