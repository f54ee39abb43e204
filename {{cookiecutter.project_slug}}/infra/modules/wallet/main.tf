{%- import "gcp/workers.tf" as gcp with context -%}
# The wallet module: balances and the ledger are Firestore documents (one transaction per money
# operation, with its outbox record); the outbox relay publishes the recorded events; the payment
# provider's and the game server's signing keys are Secret Manager secrets (CMEK), read at run time.
{{ gcp.platform() }}

locals {
  environment = {}
  # Each server caller's current and previous signing key (two during a rotation).
  signing_keys = toset(["payment-provider", "payment-provider-previous", "game-server", "game-server-previous"])
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

# Only the API verifies server calls; each key's value is added outside Terraform
# (gcloud secrets versions add), so no key ever reaches the Terraform state.
resource "google_secret_manager_secret_iam_member" "api_reads_signing_keys" {
  for_each = google_secret_manager_secret.signing_keys

  project   = var.platform.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.platform.api_member
}

# The outbox relay (walletOutbox, adapters/firestore_outbox.py): a Firestore trigger on each new ledger
# entry (players/<player>/ledger/<entry>) reads the entry, publishes its events to the wallet topic and
# marks it relayed. Eventarc owns this trigger's subscription, so it takes no dead-letter topic: the
# trigger retries (RETRY_POLICY_RETRY) for the 24 hours Eventarc keeps an event, and an entry whose
# trigger never came stays marked `outbox_pending` for the sweep below, every minute. An entry whose
# outbox cannot be read goes to the relay's own dead-letter topic, with its path.
resource "google_service_account" "outbox_trigger" {
  project      = var.platform.project_id
  account_id   = "t-wallet-outbox-${var.platform.stage}"
  display_name = "Eventarc delivers ledger entries to walletOutbox"
  description  = "Signs Eventarc's deliveries of new ledger entries to the walletOutbox function; no other role."
}

resource "google_service_account" "outbox" {
  project      = var.platform.project_id
  account_id   = "wallet-outbox-${var.platform.stage}"
  display_name = "walletOutbox function"
  description  = "Runs the walletOutbox function only: publishes the wallet's events, reads and marks ledger entries."
}

resource "google_cloudfunctions2_function" "outbox" {
  project      = var.platform.project_id
  location     = var.platform.region
  name         = "${var.platform.prefix}-wallet-outbox"
  description  = "Publishes the wallet's outbox (events written with each ledger entry) to the wallet topic"
  kms_key_name = var.platform.code.kms_key_name
  labels       = { function = "walletoutbox" }

  build_config {
    runtime           = var.platform.runtime
    entry_point       = "wallet_outbox"
    docker_repository = var.platform.code.docker_repository
    service_account   = var.platform.code.builder_service_account

    source {
      storage_source {
        bucket = var.platform.code.source_bucket
        object = "walletOutbox-${var.platform.source_version}.zip"
      }
    }
  }

  service_config {
    available_memory               = "256M"
    timeout_seconds                = 30
    max_instance_count             = 5
    min_instance_count             = 0
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.outbox.email
    environment_variables = merge(var.platform.environment, {
      FUNCTION_KEY             = "walletOutbox"
      EVENT_TOPICS             = jsonencode({ wallet = var.platform.topics["wallet"] })
      OUTBOX_DEAD_LETTER_TOPIC = google_pubsub_topic.outbox_dead_letters.id
    })
  }

  event_trigger {
    trigger_region        = var.platform.region
    event_type            = "google.cloud.firestore.document.v1.created"
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.outbox_trigger.email

    event_filters {
      attribute = "database"
      value     = var.platform.database
    }

    event_filters {
      attribute = "document"
      value     = "players/{player}/ledger/{entry}"
      operator  = "match-path-pattern"
    }
  }
}

resource "google_cloud_run_v2_service_iam_member" "outbox_trigger_invokes" {
  project  = var.platform.project_id
  location = var.platform.region
  name     = google_cloudfunctions2_function.outbox.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.outbox_trigger.email}"
}

# Receiving Eventarc events is a project role: Eventarc has no per-trigger grant.
resource "google_project_iam_member" "outbox_trigger_receives" {
  project = var.platform.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.outbox_trigger.email}"
}

resource "google_pubsub_topic_iam_member" "outbox_publishes" {
  project = var.platform.project_id
  topic   = var.platform.topics["wallet"]
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.outbox.email}"
}

# Entries whose outbox cannot be read, each with its document's path and the reason.
resource "google_pubsub_topic" "outbox_dead_letters" {
  project                    = var.platform.project_id
  name                       = "${var.platform.prefix}-wallet-outbox-dead-letters"
  kms_key_name               = var.platform.events_kms_key
  message_retention_duration = "604800s"

  message_storage_policy {
    allowed_persistence_regions = [var.platform.region]
  }
}

# Keeps them for inspection (a topic alone keeps nothing nobody subscribed to); its name ends in
# -dead-letters, so the dead-letter alert (monitoring.tf) watches it too.
resource "google_pubsub_subscription" "outbox_dead_letters" {
  project                    = var.platform.project_id
  name                       = "${var.platform.prefix}-wallet-outbox-dead-letters"
  topic                      = google_pubsub_topic.outbox_dead_letters.id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_topic_iam_member" "outbox_publishes_dead_letters" {
  project = var.platform.project_id
  topic   = google_pubsub_topic.outbox_dead_letters.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.outbox.email}"
}

# The sweep: every minute, Cloud Scheduler sends the relay a CloudEvent (binary mode: the ce- headers)
# asking it to publish the entries still pending a minute after their commit, 500 at most per run.
resource "google_service_account" "outbox_sweep" {
  project      = var.platform.project_id
  account_id   = "s-wallet-outbox-${var.platform.stage}"
  display_name = "Cloud Scheduler calls walletOutbox's sweep"
  description  = "Signs the OIDC token of each call to the walletOutbox sweep; holds no other role."
}

resource "google_cloud_run_v2_service_iam_member" "outbox_sweep_invokes" {
  project  = var.platform.project_id
  location = var.platform.region
  name     = google_cloudfunctions2_function.outbox.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.outbox_sweep.email}"
}

resource "google_cloud_scheduler_job" "outbox_sweep" {
  project          = var.platform.project_id
  region           = var.platform.region
  name             = "${var.platform.prefix}-wallet-outbox-sweep"
  description      = "Publishes the wallet's outbox entries whose Firestore trigger never came"
  schedule         = "* * * * *"
  time_zone        = "Etc/UTC"
  attempt_deadline = "60s"

  # The next run a minute later is the retry: a failed sweep leaves its entries pending.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.outbox.service_config[0].uri
    body        = base64encode("{}")
    headers = {
      "Content-Type"   = "application/json"
      "ce-id"          = "wallet-outbox-sweep"
      "ce-source"      = "//cloudscheduler.googleapis.com/${var.platform.prefix}-wallet-outbox-sweep"
      "ce-specversion" = "1.0"
      "ce-type"        = "wallet.outbox.sweep"
    }

    oidc_token {
      service_account_email = google_service_account.outbox_sweep.email
      audience              = google_cloudfunctions2_function.outbox.service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.outbox_sweep_invokes]
}

# The sweep's query: ledger entries (a collection group: every player's ledger) by `outbox_pending`,
# oldest first. Firestore indexes only the entries that have the field and the relay deletes it, so
# this index holds the pending entries alone, however long the ledger grows.
resource "google_firestore_field" "outbox_pending" {
  project    = var.platform.project_id
  database   = var.platform.database
  collection = "ledger"
  field      = "outbox_pending"

  index_config {
    indexes {
      order       = "ASCENDING"
      query_scope = "COLLECTION_GROUP"
    }
  }
}

# The outbox's JSON text is read by the relay, never queried: no index entries for it on a money
# operation's commit.
resource "google_firestore_field" "outbox" {
  project    = var.platform.project_id
  database   = var.platform.database
  collection = "ledger"
  field      = "outbox"

  index_config {}
}

resource "google_project_iam_member" "outbox_database" {
  project = var.platform.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.outbox.email}"

  condition {
    title      = "casino-database-only"
    expression = var.platform.database_condition
  }
}
{{ gcp.workers("wallet") }}

output "api_environment" {
  description = "Variables the API function reads for this module: the server callers' client ids and the names of their signing key secrets."
  value = {
    PAYMENT_PROVIDER_CLIENT_IDS          = var.platform.server_client_ids["payment-provider"]
    PAYMENT_PROVIDER_KEY_SECRET          = google_secret_manager_secret.signing_keys["payment-provider"].id
    PAYMENT_PROVIDER_PREVIOUS_KEY_SECRET = google_secret_manager_secret.signing_keys["payment-provider-previous"].id
    GAME_SERVER_CLIENT_IDS               = var.platform.server_client_ids["game-server"]
    GAME_SERVER_KEY_SECRET               = google_secret_manager_secret.signing_keys["game-server"].id
    GAME_SERVER_PREVIOUS_KEY_SECRET      = google_secret_manager_secret.signing_keys["game-server-previous"].id
  }
}

output "function_names" {
  description = "The module's functions that are not workers or jobs (the outbox relay)."
  value       = [google_cloudfunctions2_function.outbox.name]
}
