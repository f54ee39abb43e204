{%- import "azure/apps.tf" as azure with context -%}
# The promotions module: its worker grants bonuses from wallet events by the promotion rules, so its app
# is a money worker: it writes the Wallet table (bonus balances); no other worker app but the wallet's does.
{{ azure.platform() }}

resource "azurerm_storage_table" "promotions" {
  # checkov:skip=CKV2_AZURE_20: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                 = "Promotions"
  storage_account_name = var.platform.data_storage_name
}

module "app" {
  source = "../../blocks/function_app"

  platform    = var.platform
  app         = "promotions"
  description = "Grants bonuses from wallet events by the promotion rules"
{{ azure.functions("promotions") }}
{%- if "operator_wallet" in enabled_modules(cookiecutter) %}
  # Hybrid mode: bonuses go to the operator's wallet, signed with the key of one Key Vault secret.
  grants = merge({
    promotions = { scope = azurerm_storage_table.promotions.resource_manager_id, role = "Storage Table Data Contributor" }
  }, {{ azure.operator_wallet_grant() }}, {{ azure.publish_grant("promotions") }})
  # OPERATOR_WALLET_KEY_PARAMETER: the NAME of the Key Vault secret its credits are signed with, never the key.
  app_settings = {
    PROMOTIONS_TABLE_NAME         = azurerm_storage_table.promotions.name
    OPERATOR_WALLET_URL           = var.platform.operator_wallet_url
    OPERATOR_WALLET_KEY_PARAMETER = "operator-wallet-key"
  }
{%- else %}
  grants = merge({
    promotions = { scope = azurerm_storage_table.promotions.resource_manager_id, role = "Storage Table Data Contributor" }
    wallet     = { scope = {{ azure.table("Wallet") }}, role = "Storage Table Data Contributor" }
  }, {{ azure.publish_grant("promotions") }})
  app_settings = {
    PROMOTIONS_TABLE_NAME = azurerm_storage_table.promotions.name
    WALLET_TABLE_NAME     = "Wallet"
  }
{%- endif %}
}

output "api_grants" {
  description = "The API's roles on this module's resources."
  value = {
    promotions = { scope = azurerm_storage_table.promotions.resource_manager_id, role = "Storage Table Data Contributor" }
  }
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value = {
    PROMOTIONS_TABLE_NAME = azurerm_storage_table.promotions.name
  }
}
