# The hybrid mode (module operator_wallet): the operator's own wallet holds the money, off this cloud.
# This module holds no wallet: no balance, no ledger, no function that takes a bet. It keeps the
# webhook's event ids (Firestore documents, platform_events/<event_id>), the keys the operator's
# platform signs its events with and the key this project signs its bonus credits with (Secret Manager
# secrets, CMEK). The webhook is the API function's route POST /platform/events (gateway.tf,
# platformJwt); the bonus-paying workers' access to their key is granted with each worker.

variable "platform" {
  description = "What the project's core provides: ids, keys, topics, the database and the function code (infra/events.tf)."
  type        = any
}

variable "wallet_url" {
  description = "The operator's wallet API the bonus-paying workers credit bonuses on (signed HTTPS)."
  type        = string
}

locals {
  # The operator platform's current and previous webhook keys (two during a rotation), read by the API.
  platform_keys = toset(["operator-platform", "operator-platform-previous"])
}

resource "google_secret_manager_secret" "platform_keys" {
  for_each = local.platform_keys

  project   = var.platform.project_id
  secret_id = "${var.platform.prefix}-${each.value}-key"

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

# Only the API verifies the webhook's signatures; each key's value is added outside Terraform
# (gcloud secrets versions add), so no key ever reaches the Terraform state.
resource "google_secret_manager_secret_iam_member" "api_reads_platform_keys" {
  for_each = google_secret_manager_secret.platform_keys

  project   = var.platform.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.platform.api_member
}

# The key this project signs its bonus credits to the operator's wallet with. Only the bonus-paying
# workers read it (infra/modules/<module>: <worker>_operator_wallet_key); the API does not.
resource "google_secret_manager_secret" "bonus_key" {
  project   = var.platform.project_id
  secret_id = "${var.platform.prefix}-operator-wallet-key"

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

# Each event id's document carries `expires_at`, 30 days on: the database's TTL policy deletes it (a
# redelivery after that is published again; consumers count an event once by its id). Read by id,
# never queried: no index entries.
resource "google_firestore_field" "platform_events_expiry" {
  project    = var.platform.project_id
  database   = var.platform.database
  collection = "platform_events"
  field      = "expires_at"

  index_config {}
  ttl_config {}
}

output "api_environment" {
  description = "Variables the API function reads for this module: the operator platform's client ids and the names of its signing key secrets."
  value = {
    OPERATOR_PLATFORM_CLIENT_IDS          = var.platform.server_client_ids["operator-platform"]
    OPERATOR_PLATFORM_KEY_SECRET          = google_secret_manager_secret.platform_keys["operator-platform"].id
    OPERATOR_PLATFORM_PREVIOUS_KEY_SECRET = google_secret_manager_secret.platform_keys["operator-platform-previous"].id
  }
}

output "bonus_wallet" {
  description = "What the bonus-paying workers credit: the operator's wallet URL and the name of the secret of their signing key."
  value = {
    url        = var.wallet_url
    key_secret = google_secret_manager_secret.bonus_key.id
  }
}
