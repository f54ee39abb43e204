{%- import "gcp/workers.tf" as gcp with context -%}
# The leaderboards module (tournament leaderboards and missions, scored from wallet events). Its data are collections of the project's Firestore database.
{{ gcp.platform() }}

locals {
  environment = {}
}
{{ gcp.workers("leaderboards") }}

output "api_environment" {
  description = "Variables the API function reads for this module."
  value       = {}
}
