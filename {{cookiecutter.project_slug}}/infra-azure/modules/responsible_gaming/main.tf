{%- import "azure/apps.tf" as azure with context -%}
# The responsible gaming module: limits, reality checks and self-exclusion. Players' protection is kept
# beside the ledger in the wallet's table (one entity group transaction checks it with each bet), so this
# module adds no table and no function app: the API's rights on the Wallet table cover it. The KYC
# provider's signing keys are Key Vault secrets, read at run time by the API only.
{{ azure.platform() }}

locals {
  # The KYC provider's current and previous signing key (two during a rotation).
  signing_keys = toset(["kyc-provider", "kyc-provider-previous"])
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

output "api_grants" {
  description = "The API's roles on this module's resources: each of the KYC provider's signing keys."
  value = {
    for name, secret in azurerm_key_vault_secret.signing_keys :
    "signing_key_${name}" => { scope = secret.resource_versionless_id, role = "Key Vault Secrets User" }
  }
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value       = {}
}
