{%- import "azure/apps.tf" as azure with context -%}
# The operator_wallet module (hybrid mode): the operator's own wallet holds the money, off this cloud.
# Its platform announces its bets and wins on the API's webhook (POST /platform/events, a server route:
# App Service Authentication admits the operator platform's Entra ID application only, the API checks
# its platform:events role and its signature); the API records each event id once in the PlatformEvents
# table and publishes the event as the wallet's. The bonus-paying workers (promotions, leaderboards)
# credit bonuses on the operator's wallet, signed with this project's key (their roles on that secret
# only). No app, table or key of the hosted wallet here: the wagering stays with the operator.
{{ azure.platform() }}

locals {
  # The operator's platform's current and previous signing key (two during a rotation).
  signing_keys = toset(["operator-platform", "operator-platform-previous"])
}

resource "azurerm_storage_table" "platform_events" {
  # checkov:skip=CKV2_AZURE_20: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                 = "PlatformEvents"
  storage_account_name = var.platform.data_storage_name
}

# Each key's value is set outside Terraform (az keyvault secret set): Terraform writes a placeholder
# once, write-only (value_wo never reaches the state), and never changes it back. The code reads the
# placeholder as no key: the webhook refuses every event (503), a bonus credit fails (never unsigned).
resource "azurerm_key_vault_secret" "signing_keys" {
  for_each = local.signing_keys

  name             = "${each.value}-key"
  key_vault_id     = var.platform.key_vault_id
  value_wo         = "set-outside-terraform"
  value_wo_version = 1
  content_type     = "text/plain; signing key of a server caller"
  expiration_date  = var.platform.key_expiration_date
}

# The key this project signs its bonus credits to the operator's wallet with (the operator holds the
# same key to check them), read by the bonus-paying workers' apps only.
resource "azurerm_key_vault_secret" "operator_wallet_key" {
  name             = "operator-wallet-key"
  key_vault_id     = var.platform.key_vault_id
  value_wo         = "set-outside-terraform"
  value_wo_version = 1
  content_type     = "text/plain; key of the bonus credits to the operator's wallet"
  expiration_date  = var.platform.key_expiration_date
}

output "api_grants" {
  description = "The API's roles on this module's resources: the PlatformEvents table, each of the platform's signing keys."
  value = merge({
    platform_events = { scope = azurerm_storage_table.platform_events.resource_manager_id, role = "Storage Table Data Contributor" }
    }, {
    for name, secret in azurerm_key_vault_secret.signing_keys :
    "signing_key_${name}" => { scope = secret.resource_versionless_id, role = "Key Vault Secrets User" }
  })
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value = {
    PLATFORM_EVENTS_TABLE_NAME = azurerm_storage_table.platform_events.name
  }
}
