{%- import "azure/apps.tf" as azure with context -%}
# The wallet module: balances, the ledger, players' protection counters and the outbox are entities of
# the Wallet table, one partition per player (one entity group transaction per money operation, with
# ETag concurrency). The outbox relay (walletOutbox) publishes the recorded events: Table Storage has
# no change feed, so the API queues a nudge for the relay after each committed operation, and the
# reconciliation job publishes what a lost nudge left behind. The payment provider's and the game
# server's signing keys are Key Vault secrets, read at run time by the API only.
{{ azure.platform() }}

locals {
  # Each server caller's current and previous signing key (two during a rotation).
  signing_keys = toset(["payment-provider", "payment-provider-previous", "game-server", "game-server-previous"])
}

resource "azurerm_storage_table" "wallet" {
  # checkov:skip=CKV2_AZURE_20: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                 = "Wallet"
  storage_account_name = var.platform.data_storage_name
}

# Each key's value is set outside Terraform (az keyvault secret set): Terraform writes a placeholder
# once, write-only (value_wo never reaches the state), and never changes it back.
resource "azurerm_key_vault_secret" "signing_keys" {
  for_each = local.signing_keys

  name             = "${each.value}-key"
  key_vault_id     = var.platform.key_vault_id
  value_wo         = "set-outside-terraform"
  value_wo_version = 1
  content_type     = "text/plain; signing key of a server caller"
  expiration_date  = var.platform.key_expiration_date
}

module "app" {
  source = "../../blocks/function_app"

  platform    = var.platform
  app         = "wallet"
  description = "Publishes the wallet's outbox (events written with each ledger entry) to the topic"
  functions = {
    walletOutbox = { entry_point = "wallet_outbox", trigger = "queue" }
  }
  # A money worker: it marks outbox records published in the Wallet table and publishes their events.
  grants = {
    wallet    = { scope = azurerm_storage_table.wallet.resource_manager_id, role = "Storage Table Data Contributor" }
    publishes = { scope = var.platform.topic_id, role = "EventGrid Data Sender" }
  }
  app_settings = {
    WALLET_TABLE_NAME = azurerm_storage_table.wallet.name
  }
}

output "api_grants" {
  description = "The API's roles on this module's resources: the Wallet table, the relay's queue, each signing key."
  value = merge({
    wallet       = { scope = azurerm_storage_table.wallet.resource_manager_id, role = "Storage Table Data Contributor" }
    outbox_nudge = { scope = module.app.queue_ids["walletOutbox"], role = "Storage Queue Data Message Sender" }
    }, {
    for name, secret in azurerm_key_vault_secret.signing_keys :
    "signing_key_${name}" => { scope = secret.resource_versionless_id, role = "Key Vault Secrets User" }
  })
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value = {
    WALLET_TABLE_NAME   = azurerm_storage_table.wallet.name
    WALLET_OUTBOX_QUEUE = module.app.queues["walletOutbox"].work
  }
}
