{%- import "azure/apps.tf" as azure with context -%}
# The leaderboards module: its worker scores bets, wins and bonuses and advances missions. A completed
# mission's reward is a bonus paid into the Wallet table, so its app is a money worker: a role on that
# table (its scope: the table alone), as the promotions app's.
{{ azure.platform() }}

resource "azurerm_storage_table" "leaderboards" {
  # checkov:skip=CKV2_AZURE_20: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                 = "Leaderboards"
  storage_account_name = var.platform.data_storage_name
}

# The HMAC key of the players' pseudonyms on the boards (api/leaderboards.py), read by the API only. Its
# value is set outside Terraform (az keyvault secret set): Terraform writes a placeholder once,
# write-only (value_wo never reaches the state), and never changes it back.
resource "azurerm_key_vault_secret" "pseudonym_key" {
  name             = "leaderboard-pseudonym-key"
  key_vault_id     = var.platform.key_vault_id
  value_wo         = "set-outside-terraform"
  value_wo_version = 1
  content_type     = "text/plain; HMAC key of the leaderboards' pseudonyms"
  expiration_date  = var.platform.key_expiration_date
}

module "app" {
  source = "../../blocks/function_app"

  platform    = var.platform
  app         = "leaderboards"
  description = "Scores bets, wins and bonuses on leaderboards and advances missions"
{{ azure.functions("leaderboards") }}
{%- if "operator_wallet" in enabled_modules(cookiecutter) %}
  # Hybrid mode: bonuses go to the operator's wallet, signed with the key of one Key Vault secret.
  grants = merge({
    leaderboards = { scope = azurerm_storage_table.leaderboards.resource_manager_id, role = "Storage Table Data Contributor" }
  }, {{ azure.operator_wallet_grant() }}, {{ azure.publish_grant("leaderboards") }})
  # OPERATOR_WALLET_KEY_PARAMETER: the NAME of the Key Vault secret its credits are signed with, never the key.
  app_settings = {
    LEADERBOARDS_TABLE_NAME       = azurerm_storage_table.leaderboards.name
    OPERATOR_WALLET_URL           = var.platform.operator_wallet_url
    OPERATOR_WALLET_KEY_PARAMETER = "operator-wallet-key"
  }
{%- else %}
  grants = merge({
    leaderboards = { scope = azurerm_storage_table.leaderboards.resource_manager_id, role = "Storage Table Data Contributor" }
    wallet       = { scope = {{ azure.table("Wallet") }}, role = "Storage Table Data Contributor" }
  }, {{ azure.publish_grant("leaderboards") }})
  app_settings = {
    LEADERBOARDS_TABLE_NAME = azurerm_storage_table.leaderboards.name
    WALLET_TABLE_NAME       = "Wallet"
  }
{%- endif %}
}

output "api_grants" {
  description = "The API's roles on this module's resources: its table, the pseudonyms' key."
  value = {
    leaderboards  = { scope = azurerm_storage_table.leaderboards.resource_manager_id, role = "Storage Table Data Contributor" }
    pseudonym_key = { scope = azurerm_key_vault_secret.pseudonym_key.resource_versionless_id, role = "Key Vault Secrets User" }
  }
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value = {
    LEADERBOARDS_TABLE_NAME = azurerm_storage_table.leaderboards.name
    # The NAME of the pseudonyms' key in Key Vault (the secret above), never the key.
    LEADERBOARD_PSEUDONYM_KEY_PARAMETER = "leaderboard-pseudonym-key"
  }
}
