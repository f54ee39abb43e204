{%- import "azure/apps.tf" as azure with context -%}
# The responsible gaming module: limits, reality checks and self-exclusion. Players' protection is kept
# beside the ledger in the wallet's table (one entity group transaction checks it with each bet), so this
# module adds no table and no function app: the API's rights on the Wallet table cover it.
{{ azure.platform() }}

output "api_grants" {
  description = "The API's roles on this module's resources."
  value       = {}
}

output "api_settings" {
  description = "Settings the API reads for this module."
  value       = {}
}
