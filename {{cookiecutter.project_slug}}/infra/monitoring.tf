# Alerts to the alert e-mail: function errors, dead letters, API 5xx and latency, audit chain breaks and
# reconciliation mismatches (where the project has the scheduled jobs and the wallet).
# Functions log structured JSON (severity, trace, correlation id) that Cloud Logging reads as fields.

resource "google_monitoring_notification_channel" "alert_email" {
  project      = var.project_id
  display_name = "${local.prefix} alerts"
  type         = "email"

  labels = {
    email_address = var.alert_email
  }
}

# The project's logs (the functions' JSON lines, the requests, the audit logs Cloud Logging routes there)
# live in its _Default bucket: kept for the jurisdiction's log retention ({{ manifest.jurisdictions[cookiecutter.jurisdiction].log_retention_days }} days; a log bucket keeps at
# most 3650), not the 30 days Cloud Logging keeps by default. Terraform adopts the bucket; it is never deleted.
resource "google_logging_project_bucket_config" "default" {
  project        = var.project_id
  location       = "global"
  bucket_id      = "_Default"
  retention_days = {{ [manifest.jurisdictions[cookiecutter.jurisdiction].log_retention_days, 3650] | min }}
}

resource "google_logging_metric" "function_errors" {
  project     = var.project_id
  name        = "${local.prefix}-function-errors"
  description = "Error log entries of the project's functions"
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name:\"${local.prefix}-\" AND severity>=ERROR"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
  }
}

resource "google_logging_metric" "api_server_errors" {
  project     = var.project_id
  name        = "${local.prefix}-api-5xx"
  description = "API responses with a 5xx status"
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${google_cloudfunctions2_function.api.name}\" AND httpRequest.status>=500"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
  }
}

resource "google_logging_metric" "audit_chain_breaks" {
  project     = var.project_id
  name        = "${local.prefix}-audit-chain-breaks"
  description = "Breaks the verifyAuditTrail job found in the audit trail's hash chain"
  # The line workers/audit.py's verify_chain writes on a break (tests/gcp/test_log_alerts.py holds them together).
  filter = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${module.verify_audit_trail.name}\" AND jsonPayload.message=\"audit chain broken\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
  }
}

{%- if cookiecutter.module_scheduled_jobs and cookiecutter.module_wallet %}

resource "google_logging_metric" "reconciliation_mismatches" {
  project     = var.project_id
  name        = "${local.prefix}-reconciliation-mismatches"
  description = "Reconciliation runs that found a player's ledger sum differing from the balance"
  # The line workers/ledger_jobs.py's run_reconciliation writes on a mismatch (tests/gcp's ledger job tests).
  filter = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${module.scheduled_jobs.reconciliation_function}\" AND jsonPayload.message=\"reconciliation found ledger sums that differ from balances\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
  }
}
{%- endif %}

locals {
  log_alerts = {
    function-errors = {
      title  = "Function errors"
      metric = google_logging_metric.function_errors.name
    }
    api-5xx = {
      title  = "API 5xx responses"
      metric = google_logging_metric.api_server_errors.name
    }
    audit-chain-break = {
      title  = "Audit trail hash chain broken"
      metric = google_logging_metric.audit_chain_breaks.name
    }
{%- if cookiecutter.module_scheduled_jobs and cookiecutter.module_wallet %}
    reconciliation-mismatch = {
      title  = "Reconciliation found a ledger differing from its balance"
      metric = google_logging_metric.reconciliation_mismatches.name
    }
{%- endif %}
  }
}

resource "google_monitoring_alert_policy" "log_metrics" {
  for_each = local.log_alerts

  project               = var.project_id
  display_name          = "${local.prefix} ${each.value.title}"
  combiner              = "OR"
  notification_channels = [google_monitoring_notification_channel.alert_email.id]

  conditions {
    display_name = each.value.title

    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${each.value.metric}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }
}

resource "google_monitoring_alert_policy" "dead_letters" {
  project               = var.project_id
  display_name          = "${local.prefix} Dead letters"
  combiner              = "OR"
  notification_channels = [google_monitoring_notification_channel.alert_email.id]

  conditions {
    display_name = "Messages waiting in a dead-letter subscription"

    condition_threshold {
      filter          = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=starts_with(\"${local.prefix}-\") AND resource.labels.subscription_id=ends_with(\"-dead-letters\") AND metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
}

resource "google_monitoring_alert_policy" "api_latency" {
  project               = var.project_id
  display_name          = "${local.prefix} API latency p99"
  combiner              = "OR"
  notification_channels = [google_monitoring_notification_channel.alert_email.id]

  conditions {
    display_name = "API p99 latency above 1 s for 5 minutes"

    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${google_cloudfunctions2_function.api.name}\" AND metric.type=\"run.googleapis.com/request_latencies\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1000
      duration        = "300s"

      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_PERCENTILE_99"
      }
    }
  }
}
