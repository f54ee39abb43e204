{%- import "azure/apps.tf" as azure with context -%}
# The reporting module: GGR totals per day in the Reporting table (from wallet events), the daily GGR
# report as date-partitioned JSON and CSV (reports/ggr/date=<YYYY-MM-DD>/) and the event stream as JSON
# lines, one blob per event (events/date=<YYYY-MM-DD>/<event id>.jsonl: eventLake, fed every event type
# of the topic) in the reports container, kept for the jurisdiction's retention by a lifecycle rule (its
# lifecycle_rules output, in the data account's one policy: infra/main.tf), then deleted. reportRuns writes another day's report when an operator asks on its queue (Storage Queue
# Data Message Sender on reporting-reportruns; infra/README.md). Its code:
# src/<package>/azure_apps/reporting.py.
{{ azure.platform() }}

resource "azurerm_storage_table" "reporting" {
  # checkov:skip=CKV2_AZURE_20: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                 = "Reporting"
  storage_account_name = var.platform.data_storage_name
}

resource "azurerm_storage_container" "reports" {
  # checkov:skip=CKV2_AZURE_21: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                  = "reports"
  storage_account_id    = var.platform.data_storage_id
  container_access_type = "private"
}

module "app" {
  source = "../../blocks/function_app"

  platform    = var.platform
  app         = "reporting"
  description = "Adds wallet bets and wins to the day's GGR totals; writes yesterday's GGR report; lands every event in the lake"
{{ azure.functions("reporting", {"eventLake": 'entry_point = "event_lake", trigger = "queue", event_types = ["*"]', "reportRuns": 'entry_point = "report_runs", trigger = "queue", operators = true'}) }}
  grants = merge({
    totals  = { scope = azurerm_storage_table.reporting.resource_manager_id, role = "Storage Table Data Contributor" }
    reports = { scope = azurerm_storage_container.reports.id, role = "Storage Blob Data Contributor" }
  }, {{ azure.publish_grant("reporting") }})
  app_settings = {
    REPORTING_TABLE_NAME = azurerm_storage_table.reporting.name
    REPORTS_CONTAINER    = azurerm_storage_container.reports.name
  }
}

output "api_grants" {
  description = "The API's roles on this module's resources (none: reporting has no route)."
  value       = {}
}

output "api_settings" {
  description = "Settings the API reads for this module (none: reporting has no route)."
  value       = {}
}

output "lifecycle_rules" {
  description = "The reports container's rule in the data account's lifecycle policy (infra/main.tf)."
  # The whole container: the GGR reports and the event lake's events/ alike, cool after 30 days.
  value = [{
    name              = "reports-retention"
    prefix            = "${azurerm_storage_container.reports.name}/"
    cool_after_days   = 30
    delete_after_days = var.platform.retention_days
  }]
}
