{%- import "azure/apps.tf" as azure with context -%}
# The scheduled jobs module: reconciliation (ledger sums against balances), session clean-up, the
# regulator's data export and the retention purge, each a timer-triggered function whose NCRONTAB
# schedule is an app setting. Its app is a money worker: it reads and corrects the Wallet table; no other
# worker app but the wallet's and the promotions' does.
{{ azure.platform() }}

resource "azurerm_storage_table" "jobs" {
  # checkov:skip=CKV2_AZURE_20: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                 = "Jobs"
  storage_account_name = var.platform.data_storage_name
}

resource "azurerm_storage_container" "exports" {
  # checkov:skip=CKV2_AZURE_21: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                  = "exports"
  storage_account_id    = var.platform.data_storage_id
  container_access_type = "private"
}

module "app" {
  source = "../../blocks/function_app"

  platform    = var.platform
  app         = "jobs"
  description = "Reconciliation, session clean-up, data export and retention purge on their schedules"
{{ azure.functions("scheduled_jobs") }}
  grants = merge({
    jobs     = { scope = azurerm_storage_table.jobs.resource_manager_id, role = "Storage Table Data Contributor" }
    wallet   = { scope = {{ azure.table("Wallet") }}, role = "Storage Table Data Contributor" }
    sessions = { scope = {{ azure.table("Sessions") }}, role = "Storage Table Data Contributor" }
    exports  = { scope = azurerm_storage_container.exports.id, role = "Storage Blob Data Contributor" }
  }, {{ azure.publish_grant("scheduled_jobs") }})
  app_settings = {
    JOBS_TABLE_NAME     = azurerm_storage_table.jobs.name
    WALLET_TABLE_NAME   = "Wallet"
    SESSIONS_TABLE_NAME = "Sessions"
    EXPORTS_CONTAINER   = azurerm_storage_container.exports.name
  }
}

output "api_grants" {
  description = "The API's roles on this module's resources (none: the jobs have no route)."
  value       = {}
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value       = {}
}
