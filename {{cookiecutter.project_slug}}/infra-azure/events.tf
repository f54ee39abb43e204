# Domain events: one Event Grid custom topic; each worker's queue takes the event types it handles
# (blocks/function_app). Only the apps whose functions publish hold EventGrid Data Sender on it.

resource "azurerm_eventgrid_topic" "events" {
  name                          = "${local.prefix}-events"
  location                      = var.region
  resource_group_name           = azurerm_resource_group.casino.name
  input_schema                  = "CloudEventSchemaV1_0"
  public_network_access_enabled = false
  local_auth_enabled            = false
  tags                          = local.tags

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_private_endpoint" "topic" {
  name                = "${local.prefix}-topic"
  location            = var.region
  resource_group_name = azurerm_resource_group.casino.name
  subnet_id           = azurerm_subnet.endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "topic"
    private_connection_resource_id = azurerm_eventgrid_topic.events.id
    subresource_names              = ["topic"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "topic"
    private_dns_zone_ids = [azurerm_private_dns_zone.casino["topic"].id]
  }
}

# Event Grid writes the events that failed every retry to the dead-letter container.
resource "azurerm_role_assignment" "topic_dead_letters" {
  scope                = azurerm_storage_container.dead_letters.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_eventgrid_topic.events.identity[0].principal_id
}

locals {
  # What every function app and casino module gets from the core (the modules' one input).
  platform = {
    prefix                                 = local.prefix
    region                                 = var.region
    stage                                  = var.stage
    tags                                   = local.tags
    resource_group_name                    = azurerm_resource_group.casino.name
    python_version                         = var.python_version
    functions_subnet_id                    = azurerm_subnet.functions.id
    key_vault_id                           = azurerm_key_vault.casino.id
    key_expiration_date                    = var.key_expiration_date
    data_storage_id                        = azurerm_storage_account.casino["data"].id
    data_storage_name                      = azurerm_storage_account.casino["data"].name
    data_blob_endpoint                     = azurerm_storage_account.casino["data"].primary_blob_endpoint
    data_queue_endpoint                    = azurerm_storage_account.casino["data"].primary_queue_endpoint
    data_table_endpoint                    = azurerm_storage_account.casino["data"].primary_table_endpoint
    host_storage_id                        = azurerm_storage_account.casino["host"].id
    host_storage_name                      = azurerm_storage_account.casino["host"].name
    host_blob_endpoint                     = azurerm_storage_account.casino["host"].primary_blob_endpoint
    dead_letter_container                  = azurerm_storage_container.dead_letters.name
    topic_id                               = azurerm_eventgrid_topic.events.id
    topic_principal_id                     = azurerm_eventgrid_topic.events.identity[0].principal_id
    application_insights_id                = azurerm_application_insights.casino.id
    application_insights_connection_string = azurerm_application_insights.casino.connection_string
    cors_origins                           = var.cors_origins
    oidc_issuer                            = var.oidc_issuer
    oidc_client_id                         = var.oidc_client_id
    retention_days                         = local.retention_days
    # The server callers' issuer, the API's app registration and their client ids (none without the
    # wallet or, in the hybrid mode, the operator's platform).
{%- if cookiecutter.module_wallet or cookiecutter.module_operator_wallet %}
    server_callers = {
      tenant_auth_endpoint = var.server_tenant_auth_endpoint
      api_client_id        = var.server_api_client_id
      client_ids           = var.server_client_ids
    }
{%- else %}
    server_callers = null
{%- endif %}
{%- if cookiecutter.module_operator_wallet %}
    # The operator's wallet the bonus-paying workers credit (hybrid mode).
    operator_wallet_url = var.operator_wallet_url
{%- endif %}
    app_settings = {
      STAGE                          = var.stage
      JURISDICTION                   = "{{ cookiecutter.jurisdiction }}"
      EVENT_TOPIC_ENDPOINT           = azurerm_eventgrid_topic.events.endpoint
      KEY_VAULT_URI                  = azurerm_key_vault.casino.vault_uri
      AUDIT_TABLE_NAME               = azurerm_storage_table.audit_trail.name
      OTEL_SERVICE_NAME              = "{{ cookiecutter.project_slug }}"
      POWERTOOLS_LOG_LEVEL           = "INFO"
      FUNCTIONS_WORKER_PROCESS_COUNT = "1"
    }
  }
}
