{%- import "azure/apps.tf" as azure with context -%}
# The sessions module (sign-in, heartbeat and session end; its worker adds wallet bets and wins to the
# session's activity). Its state is the Sessions table of the data account.
{{ azure.platform() }}

resource "azurerm_storage_table" "sessions" {
  # checkov:skip=CKV2_AZURE_20: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                 = "Sessions"
  storage_account_name = var.platform.data_storage_name
}

module "app" {
  source = "../../blocks/function_app"

  platform    = var.platform
  app         = "sessions"
  description = "Adds wallet bets and wins to their session's activity"
{{ azure.functions("sessions") }}
  grants = merge({
    sessions = { scope = azurerm_storage_table.sessions.resource_manager_id, role = "Storage Table Data Contributor" }
  }, {{ azure.publish_grant("sessions") }})
  app_settings = {
    SESSIONS_TABLE_NAME = azurerm_storage_table.sessions.name
  }
}

output "api_grants" {
  description = "The API's roles on this module's resources."
  value = {
    sessions = { scope = azurerm_storage_table.sessions.resource_manager_id, role = "Storage Table Data Contributor" }
  }
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value = {
    SESSIONS_TABLE_NAME = azurerm_storage_table.sessions.name
  }
}
