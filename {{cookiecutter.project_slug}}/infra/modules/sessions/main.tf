{%- import "gcp/workers.tf" as gcp with context -%}
# The sessions module (sign-in, heartbeat and session end: its worker adds wallet bets and wins to the session's activity). Its data are collections of the project's Firestore database.
{{ gcp.platform() }}

locals {
  environment = {}
}
{{ gcp.workers("sessions") }}

output "api_environment" {
  description = "Variables the API function reads for this module."
  value       = {}
}
