# Logs, traces and alerts: a Log Analytics workspace, workspace-based Application Insights (Entra ID
# ingestion only: each app's identity publishes with Monitoring Metrics Publisher), and alerts on errors,
# poison messages, API 5xx and latency, a broken audit chain and a reconciliation mismatch (where the
# project has the scheduled jobs and the wallet) to the alert e-mail's action group.
# The Functions host exports its requests, dependencies and logs with OpenTelemetry (host.json's
# telemetryMode); the apps carry the W3C trace context across the queue hops in each CloudEvent, and
# their log lines give its trace_id, the operation id of the trace (README: "Telemetry").
{%- set jurisdiction = manifest.jurisdictions[cookiecutter.jurisdiction] %}
{%- set log_total_days = log_table_days(jurisdiction.log_retention_days) %}

# Interactive retention is at most 730 days; the tables below keep the logs {{ log_total_days }} days in total (infra/README.md).
resource "azurerm_log_analytics_workspace" "casino" {
  name                         = "${local.prefix}-logs"
  location                     = var.region
  resource_group_name          = azurerm_resource_group.casino.name
  sku                          = "PerGB2018"
  retention_in_days            = local.log_days
  local_authentication_enabled = false
  internet_ingestion_enabled   = false
  tags                         = local.tags
}

# The data account's reads, writes and deletes of tables, queues and blobs go to the workspace (Entra ID
# identities included): storage analytics logging would need a shared key, which the accounts refuse.
resource "azurerm_monitor_diagnostic_setting" "data_storage" {
  for_each = toset(["blob", "queue", "table"])

  name                       = "${local.prefix}-data-${each.value}"
  target_resource_id         = "${azurerm_storage_account.casino["data"].id}/${each.value}Services/default"
  log_analytics_workspace_id = azurerm_log_analytics_workspace.casino.id

  enabled_log {
    category = "StorageRead"
  }

  enabled_log {
    category = "StorageWrite"
  }

  enabled_log {
    category = "StorageDelete"
  }
}

# The tables the project's logs land in keep them {{ log_total_days }} days in total ({{ cookiecutter.jurisdiction }}'s log retention{% if log_total_days != jurisdiction.log_retention_days %} of
# {{ jurisdiction.log_retention_days }} days, {{ "capped at" if log_total_days < jurisdiction.log_retention_days else "rounded up to" }} a whole year azurerm takes: 4-730 days or 3 to 12 years{% endif %}): interactive
# for local.log_days, then long-term (a search job or a restore reads it). They are the host's OpenTelemetry
# export (App*: the alerts' tables among them) and the data account's diagnostic settings (Storage*Logs).
# Terraform sets the existing tables' retention; it deletes none.
resource "azurerm_log_analytics_workspace_table" "logs" {
  for_each = toset([
    "AppTraces", "AppRequests", "AppDependencies", "AppExceptions",
    "StorageBlobLogs", "StorageQueueLogs", "StorageTableLogs",
  ])

  workspace_id            = azurerm_log_analytics_workspace.casino.id
  name                    = each.value
  retention_in_days       = local.log_days
  total_retention_in_days = {{ log_total_days }}
}

resource "azurerm_application_insights" "casino" {
  name                          = "${local.prefix}-insights"
  location                      = var.region
  resource_group_name           = azurerm_resource_group.casino.name
  workspace_id                  = azurerm_log_analytics_workspace.casino.id
  application_type              = "other"
  local_authentication_disabled = true
  disable_ip_masking            = false
  retention_in_days             = local.log_days
  internet_ingestion_enabled    = false
  tags                          = local.tags
}

# ---- Azure Monitor Private Link Scope: the apps' subnet has no outbound internet, so the Functions host's
# OpenTelemetry export reaches Application Insights (and the workspace) through this private endpoint only;
# without it no telemetry arrives and every alert below stays silent. Ingestion is private only; queries stay
# open for the portal and the alert rules (Entra ID still decides who may read).

resource "azurerm_monitor_private_link_scope" "casino" {
  name                  = "${local.prefix}-ampls"
  resource_group_name   = azurerm_resource_group.casino.name
  ingestion_access_mode = "PrivateOnly"
  query_access_mode     = "Open"
  tags                  = local.tags
}

resource "azurerm_monitor_private_link_scoped_service" "casino" {
  for_each = {
    insights = azurerm_application_insights.casino.id
    logs     = azurerm_log_analytics_workspace.casino.id
  }

  name                = "${local.prefix}-${each.key}"
  resource_group_name = azurerm_resource_group.casino.name
  scope_name          = azurerm_monitor_private_link_scope.casino.name
  linked_resource_id  = each.value
}

resource "azurerm_private_endpoint" "monitor" {
  name                = "${local.prefix}-monitor"
  location            = var.region
  resource_group_name = azurerm_resource_group.casino.name
  subnet_id           = azurerm_subnet.endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "monitor"
    private_connection_resource_id = azurerm_monitor_private_link_scope.casino.id
    subresource_names              = ["azuremonitor"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "monitor"
    private_dns_zone_ids = [for zone in ["monitor", "oms", "ods", "agentsvc", "blob"] : azurerm_private_dns_zone.casino[zone].id]
  }

  # The scope holds its resources before the endpoint publishes their addresses.
  depends_on = [azurerm_monitor_private_link_scoped_service.casino]
}

resource "azurerm_monitor_action_group" "alerts" {
  name                = "${local.prefix}-alerts"
  resource_group_name = azurerm_resource_group.casino.name
  short_name          = "casino"
  tags                = local.tags

  email_receiver {
    name                    = "operations"
    email_address           = var.alert_email
    use_common_alert_schema = true
  }
}

locals {
  alerts = {
    function-errors = {
      description = "A function failed (an unhandled exception in any app)."
      query       = "AppExceptions | summarize failures = count() by AppRoleName"
      threshold   = 0
    }
    poison-messages = {
      description = "A queue message was moved to its poison queue after its retries, or the outbox relay dead-lettered an entry."
      query       = "AppTraces | where Message contains \"-poison\" or Message has \"poison outbox record\" | summarize moved = count() by AppRoleName"
      threshold   = 0
    }
    api-5xx = {
      description = "The API answered with a server error."
      query       = "AppRequests | where AppRoleName endswith \"-api\" and toint(ResultCode) >= 500 | summarize errors = count()"
      threshold   = 0
    }
    api-latency = {
      description = "The API's 95th percentile latency is over 2 seconds."
      query       = "AppRequests | where AppRoleName endswith \"-api\" | summarize p95 = percentile(DurationMs, 95) | where p95 > 2000"
      threshold   = 0
    }
    audit-chain-break = {
      description = "verifyAuditTrail found a broken hash chain: the audit trail may have been tampered with."
      query       = "AppTraces | where Message has \"audit chain broken\" | summarize breaks = count()"
      threshold   = 0
    }
{%- if cookiecutter.module_scheduled_jobs and cookiecutter.module_wallet %}
    reconciliation-mismatch = {
      description = "Reconciliation found a player's ledger sum differing from the balance (workers/ledger_jobs.py's error line)."
      query       = "AppTraces | where Message has \"reconciliation found ledger sums that differ from balances\" | summarize mismatches = count()"
      threshold   = 0
    }
{%- endif %}
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "casino" {
  for_each = local.alerts

  name                 = "${local.prefix}-${each.key}"
  location             = var.region
  resource_group_name  = azurerm_resource_group.casino.name
  description          = each.value.description
  scopes               = [azurerm_application_insights.casino.id]
  severity             = 1
  evaluation_frequency = "PT5M"
  window_duration      = "PT5M"
  tags                 = local.tags

  criteria {
    query                   = each.value.query
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = each.value.threshold

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.alerts.id]
  }
}
