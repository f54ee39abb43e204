{%- import "azure/apps.tf" as azure with context -%}
# The notifications module: its worker tells players about wins, bonuses, limits and reality checks.
{{ azure.platform() }}

resource "azurerm_storage_table" "notifications" {
  # checkov:skip=CKV2_AZURE_20: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                 = "Notifications"
  storage_account_name = var.platform.data_storage_name
}

module "app" {
  source = "../../blocks/function_app"

  platform    = var.platform
  app         = "notifications"
  description = "Tells players about wins, bonuses, limits and reality checks"
{{ azure.functions("notifications") }}
  grants = merge({
    notifications = { scope = azurerm_storage_table.notifications.resource_manager_id, role = "Storage Table Data Contributor" }
  }, {{ azure.publish_grant("notifications") }})
  app_settings = {
    NOTIFICATIONS_TABLE_NAME = azurerm_storage_table.notifications.name
  }
}

output "api_grants" {
  description = "The API's roles on this module's resources."
  value = {
    notifications = { scope = azurerm_storage_table.notifications.resource_manager_id, role = "Storage Table Data Contributor" }
  }
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value = {
    NOTIFICATIONS_TABLE_NAME = azurerm_storage_table.notifications.name
  }
}
