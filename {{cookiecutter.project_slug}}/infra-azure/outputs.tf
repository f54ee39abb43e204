output "resource_group" {
  description = "The stage's resource group."
  value       = azurerm_resource_group.casino.name
}

output "function_apps" {
  description = "The function apps' resource ids (make deploy publishes each app's package to its own with one-deploy)."
  value       = { api = module.api.app_id, audit = module.audit.app_id }
}

output "event_topic_endpoint" {
  description = "The Event Grid topic the functions publish domain events to."
  value       = azurerm_eventgrid_topic.events.endpoint
}
