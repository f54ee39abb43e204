{%- import "azure/apps.tf" as azure with context -%}
# The wallet module: balances, the ledger, players' protection counters and the outbox are entities of
# the Wallet table, one partition per player (one entity group transaction per money operation, with
# ETag concurrency). Table Storage has no change feed: each money operation writes a pending marker with
# its ledger entry, and the outbox relay (walletOutbox, a timer function) publishes the pending entries'
# events to the topic and deletes their markers (adapters/table_outbox.py); an entry whose outbox cannot
# be read goes to the wallet-outbox-poison queue. The payment provider's and the game server's signing
# keys are Key Vault secrets, read at run time by the API only.
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

# Where the relay sends an entry whose outbox cannot be read (its keys and the raw outbox), so that it
# blocks none of the player's later entries; monitoring.tf alerts on it as on every poison queue.
resource "azurerm_storage_queue" "outbox_poison" {
  name               = "wallet-outbox-poison"
  storage_account_id = var.platform.data_storage_id
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
  # The relay's NCRONTAB schedule (seconds first), every 10 s: an event reaches the topic at most one
  # period plus one run after its money operation commits. The app setting SCHEDULE_WALLET_OUTBOX carries it.
  functions = {
    walletOutbox = { entry_point = "wallet_outbox", trigger = "timer", schedule = "*/10 * * * * *" }
  }
  # A money worker: it reads pending entries and deletes their markers in the Wallet table, publishes
  # their events, and sends the unreadable ones to its poison queue.
  grants = {
    wallet       = { scope = azurerm_storage_table.wallet.resource_manager_id, role = "Storage Table Data Contributor" }
    publishes    = { scope = var.platform.topic_id, role = "EventGrid Data Sender" }
    dead_letters = { scope = azurerm_storage_queue.outbox_poison.resource_manager_id, role = "Storage Queue Data Message Sender" }
  }
  app_settings = {
    WALLET_TABLE_NAME   = azurerm_storage_table.wallet.name
    OUTBOX_POISON_QUEUE = azurerm_storage_queue.outbox_poison.name
  }
}

output "api_grants" {
  description = "The API's roles on this module's resources: the Wallet table, each signing key."
  value = merge({
    wallet = { scope = azurerm_storage_table.wallet.resource_manager_id, role = "Storage Table Data Contributor" }
    }, {
    for name, secret in azurerm_key_vault_secret.signing_keys :
    "signing_key_${name}" => { scope = secret.resource_versionless_id, role = "Key Vault Secrets User" }
  })
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value = {
    WALLET_TABLE_NAME = azurerm_storage_table.wallet.name
  }
}
