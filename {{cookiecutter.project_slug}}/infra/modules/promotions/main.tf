{%- import "gcp/workers.tf" as gcp with context -%}
# The promotions module (bonus triggers from wallet events, one grant per player per promotion). Its data are collections of the project's Firestore database.
{{ gcp.platform() }}

locals {
  environment = {}
}
{{ gcp.workers("promotions") }}

output "api_environment" {
  description = "Variables the API function reads for this module."
  value       = {}
}
