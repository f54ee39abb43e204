{%- import "gcp/workers.tf" as gcp with context -%}
# The responsible gaming module: limits, self-exclusion and reality checks live in Firestore with the
# wallet's documents (the wallet's transaction checks them); the KYC provider signs its calls with a
# key kept in Secret Manager (CMEK).
{{ gcp.platform() }}

locals {
  environment  = {}
  signing_keys = toset(["kyc-provider", "kyc-provider-previous"])
}

resource "google_secret_manager_secret" "signing_keys" {
  for_each = local.signing_keys

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

resource "google_secret_manager_secret_iam_member" "api_reads_signing_keys" {
  for_each = google_secret_manager_secret.signing_keys

  project   = var.platform.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.platform.api_member
}
{{ gcp.workers("responsible_gaming") }}

output "api_environment" {
  description = "Variables the API function reads for this module: the KYC provider's client ids and the names of its key secrets."
  value = {
    KYC_PROVIDER_CLIENT_IDS          = var.platform.server_client_ids["kyc-provider"]
    KYC_PROVIDER_KEY_SECRET          = google_secret_manager_secret.signing_keys["kyc-provider"].id
    KYC_PROVIDER_PREVIOUS_KEY_SECRET = google_secret_manager_secret.signing_keys["kyc-provider-previous"].id
  }
}
