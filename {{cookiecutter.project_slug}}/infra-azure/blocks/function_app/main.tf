# One Flex Consumption function app with its own plan and its own user-assigned identity, holding only
# the rights its functions need (Azure grants identity per app, not per function: the apps are split so
# that no identity holds rights another app's functions need). Its queue-triggered functions each get a
# queue fed by an Event Grid subscription and the poison queue the host moves a message to after
# maxDequeueCount receives; its timer-triggered functions read their schedule from an app setting.

variable "platform" {
  description = "What the project's core provides (infra/events.tf: local.platform)."
  type        = any
}

variable "app" {
  description = "The app's short name (letters, digits, hyphens), the last part of its resource names."
  type        = string
}

variable "description" {
  description = "What the app's functions do (a tag)."
  type        = string
}

variable "functions" {
  description = "The app's functions by their key (the AWS flavour's function name): entry point, trigger (http, queue or timer), the event types a queue function takes ([\"*\"]: every type), a timer's NCRONTAB schedule; operators: a queue operators send to (no subscription, the app does not send)."
  type = map(object({
    entry_point = string
    trigger     = string
    event_types = optional(list(string), [])
    schedule    = optional(string)
    operators   = optional(bool, false)
  }))

  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["http", "queue", "timer"], f.trigger)])
    error_message = "functions: trigger must be http, queue or timer."
  }
}

variable "grants" {
  description = "Roles of the app's identity, each at the scope of one resource (never the resource group or subscription)."
  type = map(object({
    scope = string
    role  = string
  }))
  default = {}
}

variable "app_settings" {
  description = "The app's own settings (table names, the module's settings)."
  type        = map(string)
  default     = {}
}

variable "memory" {
  description = "Instance memory in MB (Flex Consumption: 512, 2048 or 4096)."
  type        = number
  default     = 2048
}

variable "maximum_instances" {
  description = "The most instances the app scales out to."
  type        = number
  default     = 40
}

locals {
  name   = "${var.platform.prefix}-${var.app}"
  queues = { for key, f in var.functions : key => "${var.app}-${lower(key)}" if f.trigger == "queue" }
  http   = anytrue([for f in values(var.functions) : f.trigger == "http"])
  schedules = {
    for key, f in var.functions : "SCHEDULE_${upper(f.entry_point)}" => f.schedule if f.trigger == "timer"
  }
  # Every server caller's client ids, one list (server_client_ids gives them comma-separated per caller).
  server_client_ids = var.platform.server_callers == null ? [] : sort(distinct(flatten([
    for ids in values(var.platform.server_callers.client_ids) : [for id in split(",", ids) : trimspace(id) if trimspace(id) != ""]
  ])))
  # The API's settings naming each caller's client ids (<CALLER>_CLIENT_IDS): each calls its own routes only.
  server_caller_settings = local.http && var.platform.server_callers != null ? {
    for caller, ids in var.platform.server_callers.client_ids : "${upper(replace(caller, "-", "_"))}_CLIENT_IDS" => ids
  } : {}
}

resource "azurerm_user_assigned_identity" "app" {
  name                = local.name
  location            = var.platform.region
  resource_group_name = var.platform.resource_group_name
  tags                = var.platform.tags
}

resource "azurerm_service_plan" "app" {
  # checkov:skip=CKV_AZURE_212: a Flex Consumption plan has no worker count; its always-ready instances are the floor
  name                   = local.name
  location               = var.platform.region
  resource_group_name    = var.platform.resource_group_name
  os_type                = "Linux"
  sku_name               = "FC1"
  zone_balancing_enabled = true
  tags                   = var.platform.tags
}

# The app's deployment packages (one-deploy uploads here) in the host account.
resource "azurerm_storage_container" "code" {
  # checkov:skip=CKV2_AZURE_21: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                  = "code-${var.app}"
  storage_account_id    = var.platform.host_storage_id
  container_access_type = "private"
}

resource "azurerm_function_app_flex_consumption" "app" {
  name                = local.name
  location            = var.platform.region
  resource_group_name = var.platform.resource_group_name
  service_plan_id     = azurerm_service_plan.app.id

  runtime_name                      = "python"
  runtime_version                   = var.platform.python_version
  instance_memory_in_mb             = var.memory
  maximum_instance_count            = var.maximum_instances
  storage_container_type            = "blobContainer"
  storage_container_endpoint        = "${var.platform.host_blob_endpoint}${azurerm_storage_container.code.name}"
  storage_authentication_type       = "UserAssignedIdentity"
  storage_user_assigned_identity_id = azurerm_user_assigned_identity.app.id

  https_only                                     = true
  webdeploy_publish_basic_authentication_enabled = false
  # Only the API takes traffic from the internet (behind App Service Authentication); workers and
  # jobs are triggered from their queues and timers inside the virtual network.
  public_network_access_enabled = local.http
  virtual_network_subnet_id     = var.platform.functions_subnet_id
  tags                          = merge(var.platform.tags, { app = var.app, purpose = var.description })

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.app.id]
  }

  site_config {
    minimum_tls_version                    = "1.2"
    scm_minimum_tls_version                = "1.2"
    http2_enabled                          = true
    remote_debugging_enabled               = false
    vnet_route_all_enabled                 = true
    application_insights_connection_string = var.platform.application_insights_connection_string

    cors {
      # Exact origins of the player front ends for the API; no browser calls a worker.
      allowed_origins     = local.http ? var.platform.cors_origins : []
      support_credentials = false
    }
  }

  # App Service Authentication validates every caller's JWT before the code runs, on every path (none
  # is excluded): the players' tokens from their OIDC provider, the server callers' client-credentials
  # tokens from their Entra ID tenant. The app still checks each route's scopes and client id, and a
  # server call's signature. Workers answer no unauthenticated HTTP call.
  auth_settings_v2 {
    auth_enabled           = true
    require_authentication = true
    require_https          = true
    unauthenticated_action = "Return401"
    default_provider       = "players"

    custom_oidc_v2 {
      name                          = "players"
      client_id                     = var.platform.oidc_client_id
      openid_configuration_endpoint = "${var.platform.oidc_issuer}/.well-known/openid-configuration"
    }

    # The server callers: tokens of their tenant for the API's app registration (v2 tokens carry its
    # client id as audience, v1 tokens its api:// URI), from the callers' applications only (their
    # appid or azp): any other application of the tenant is refused (403) before the code.
    dynamic "active_directory_v2" {
      for_each = local.http && var.platform.server_callers != null ? [var.platform.server_callers] : []
      content {
        client_id                       = active_directory_v2.value.api_client_id
        tenant_auth_endpoint            = active_directory_v2.value.tenant_auth_endpoint
        allowed_audiences               = ["api://${active_directory_v2.value.api_client_id}"]
        allowed_applications            = local.server_client_ids
        jwt_allowed_client_applications = local.server_client_ids
      }
    }

    login {
      token_store_enabled = false
    }
  }

  app_settings = merge(var.platform.app_settings, var.app_settings, local.schedules, local.server_caller_settings, {
    # Identity-based connections: no connection string or key anywhere.
    AzureWebJobsStorage__accountName = var.platform.host_storage_name
    AzureWebJobsStorage__credential  = "managedidentity"
    AzureWebJobsStorage__clientId    = azurerm_user_assigned_identity.app.client_id
    CasinoStorage__queueServiceUri   = var.platform.data_queue_endpoint
    CasinoStorage__tableServiceUri   = var.platform.data_table_endpoint
    CasinoStorage__blobServiceUri    = var.platform.data_blob_endpoint
    CasinoStorage__credential        = "managedidentity"
    CasinoStorage__clientId          = azurerm_user_assigned_identity.app.client_id
    AZURE_CLIENT_ID                  = azurerm_user_assigned_identity.app.client_id
    APP_FUNCTIONS                    = join(",", sort(keys(var.functions)))

    # Application Insights takes Entra ID ingestion only (local authentication off). The host exports
    # with OpenTelemetry (host.json's telemetryMode) to the connection string of site_config, with this
    # identity; PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY stays unset: no OpenTelemetry SDK runs in the
    # Python worker (its cold-start price, infra/README.md: "Telemetry").
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "ClientId=${azurerm_user_assigned_identity.app.client_id};Authorization=AAD"
  })
}

resource "azurerm_storage_queue" "work" {
  for_each = local.queues

  name               = each.value
  storage_account_id = var.platform.data_storage_id
}

resource "azurerm_storage_queue" "poison" {
  for_each = local.queues

  name               = "${each.value}-poison"
  storage_account_id = var.platform.data_storage_id
}

# Event Grid delivers the function's event types to its queue; an event that fails every retry is
# written to the dead-letter container.
resource "azurerm_eventgrid_event_subscription" "work" {
  for_each = { for key, queue in local.queues : key => queue if length(var.functions[key].event_types) > 0 }

  name  = each.value
  scope = var.platform.topic_id
  # ["*"]: every event type of the topic (the event lake), as a subscription without a filter takes.
  included_event_types = contains(var.functions[each.key].event_types, "*") ? null : var.functions[each.key].event_types

  storage_queue_endpoint {
    storage_account_id                    = var.platform.data_storage_id
    queue_name                            = azurerm_storage_queue.work[each.key].name
    queue_message_time_to_live_in_seconds = 604800
  }

  delivery_identity {
    type = "SystemAssigned"
  }

  dead_letter_identity {
    type = "SystemAssigned"
  }

  storage_blob_dead_letter_destination {
    storage_account_id          = var.platform.data_storage_id
    storage_blob_container_name = var.platform.dead_letter_container
  }

  retry_policy {
    max_delivery_attempts = 10
    event_time_to_live    = 1440
  }

  depends_on = [azurerm_role_assignment.topic_sends]
}

resource "azurerm_role_assignment" "topic_sends" {
  for_each = local.queues

  scope                = azurerm_storage_queue.work[each.key].resource_manager_id
  role_definition_name = "Storage Queue Data Message Sender"
  principal_id         = var.platform.topic_principal_id
}

resource "azurerm_role_assignment" "reads_queue" {
  for_each = local.queues

  scope                = azurerm_storage_queue.work[each.key].resource_manager_id
  role_definition_name = "Storage Queue Data Message Processor"
  principal_id         = azurerm_user_assigned_identity.app.principal_id
}

# A queue no Event Grid subscription feeds is fed by the app itself (the audit trail queues each record
# for its archive function), unless operators feed it (a job's runs: their own Message Sender role).
resource "azurerm_role_assignment" "sends_own_queue" {
  for_each = { for key, queue in local.queues : key => queue if length(var.functions[key].event_types) == 0 && !var.functions[key].operators }

  scope                = azurerm_storage_queue.work[each.key].resource_manager_id
  role_definition_name = "Storage Queue Data Message Sender"
  principal_id         = azurerm_user_assigned_identity.app.principal_id
}

# The host moves a message that failed maxDequeueCount times to the poison queue.
resource "azurerm_role_assignment" "writes_poison" {
  for_each = local.queues

  scope                = azurerm_storage_queue.poison[each.key].resource_manager_id
  role_definition_name = "Storage Queue Data Contributor"
  principal_id         = azurerm_user_assigned_identity.app.principal_id
}

# The host's own storage (code package, leases, timer schedules): on the host account only.
resource "azurerm_role_assignment" "host_storage" {
  scope                = var.platform.host_storage_id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = azurerm_user_assigned_identity.app.principal_id
}

resource "azurerm_role_assignment" "grants" {
  for_each = var.grants

  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.app.principal_id
}

resource "azurerm_role_assignment" "telemetry" {
  scope                = var.platform.application_insights_id
  role_definition_name = "Monitoring Metrics Publisher"
  principal_id         = azurerm_user_assigned_identity.app.principal_id
}

output "principal_id" {
  description = "The app's identity (for grants made outside this block)."
  value       = azurerm_user_assigned_identity.app.principal_id
}

output "queues" {
  description = "The app's work and poison queues by function key (monitoring.tf alerts on poison messages)."
  value       = { for key, queue in local.queues : key => { work = queue, poison = "${queue}-poison" } }
}

output "queue_ids" {
  description = "The work queues' resource ids by function key (grants to the functions that feed them)."
  value       = { for key, queue in azurerm_storage_queue.work : key => queue.resource_manager_id }
}

output "app_id" {
  description = "The function app's resource id."
  value       = azurerm_function_app_flex_consumption.app.id
}
