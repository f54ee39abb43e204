# The core: resource group, network, Key Vault with the storage keys, the storage accounts (the casino's
# data; the function host's), the audit archive with its immutability policy. Modules add their own.
{%- set jurisdiction = manifest.jurisdictions[cookiecutter.jurisdiction] %}
{%- set short = cookiecutter.project_slug.replace("-", "")[:16] %}

data "azurerm_client_config" "current" {}

locals {
  # Names: function apps are at most 60 characters, storage accounts 24 letters or digits, vaults 24
  # (a vault: "kv-", 13 characters of the slug, a hyphen and the stage of up to 7).
  prefix         = "{{ cookiecutter.project_slug[:30].rstrip('-') }}-${var.stage}"
  storage_prefix = "{{ short }}${var.stage}"
  retention_days = {{ jurisdiction.retention_years * 365 }}
  log_days       = {{ [jurisdiction.log_retention_days, 730] | min }}
  lock_archive   = contains(var.archive_lock_stages, var.stage)
  tags = {
    project      = "{{ cookiecutter.project_slug }}"
    stage        = var.stage
    jurisdiction = "{{ cookiecutter.jurisdiction }}"
  }
}

resource "azurerm_resource_group" "casino" {
  name     = "${local.prefix}-rg"
  location = var.region
  tags     = local.tags
}

# ---- Network: the function apps reach storage, Key Vault, Event Grid and Azure Monitor through private
# endpoints. Their subnets have no default outbound access and the network no NAT gateway: nothing the apps
# call leaves the network (their managed identity tokens come from the platform's IDENTITY_ENDPOINT).

resource "azurerm_virtual_network" "casino" {
  name                = "${local.prefix}-vnet"
  location            = var.region
  resource_group_name = azurerm_resource_group.casino.name
  address_space       = ["10.40.0.0/16"]
  tags                = local.tags
}

resource "azurerm_network_security_group" "casino" {
  name                = "${local.prefix}-nsg"
  location            = var.region
  resource_group_name = azurerm_resource_group.casino.name
  tags                = local.tags
}

# Flex Consumption integrates each app with a subnet delegated to Microsoft.App/environments.
resource "azurerm_subnet" "functions" {
  name                            = "functions"
  resource_group_name             = azurerm_resource_group.casino.name
  virtual_network_name            = azurerm_virtual_network.casino.name
  address_prefixes                = ["10.40.0.0/23"]
  default_outbound_access_enabled = false

  delegation {
    name = "flex-consumption"

    service_delegation {
      name    = "Microsoft.App/environments"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

resource "azurerm_subnet" "endpoints" {
  name                            = "private-endpoints"
  resource_group_name             = azurerm_resource_group.casino.name
  virtual_network_name            = azurerm_virtual_network.casino.name
  address_prefixes                = ["10.40.2.0/24"]
  default_outbound_access_enabled = false
}

resource "azurerm_subnet_network_security_group_association" "functions" {
  subnet_id                 = azurerm_subnet.functions.id
  network_security_group_id = azurerm_network_security_group.casino.id
}

resource "azurerm_subnet_network_security_group_association" "endpoints" {
  subnet_id                 = azurerm_subnet.endpoints.id
  network_security_group_id = azurerm_network_security_group.casino.id
}

locals {
  private_zones = {
    blob  = "privatelink.blob.core.windows.net"
    queue = "privatelink.queue.core.windows.net"
    table = "privatelink.table.core.windows.net"
    vault = "privatelink.vaultcore.azure.net"
    topic = "privatelink.eventgrid.azure.net"
    # Azure Monitor's private link (monitoring.tf): Application Insights ingestion and live metrics, the
    # workspace's ingestion and its agents' endpoints (the AMPLS endpoint writes its records into each).
    monitor  = "privatelink.monitor.azure.com"
    oms      = "privatelink.oms.opinsights.azure.com"
    ods      = "privatelink.ods.opinsights.azure.com"
    agentsvc = "privatelink.agentsvc.azure-automation.net"
  }
}

resource "azurerm_private_dns_zone" "casino" {
  for_each = local.private_zones

  name                = each.value
  resource_group_name = azurerm_resource_group.casino.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "casino" {
  for_each = local.private_zones

  name                  = "${local.prefix}-${each.key}"
  resource_group_name   = azurerm_resource_group.casino.name
  private_dns_zone_name = azurerm_private_dns_zone.casino[each.key].name
  virtual_network_id    = azurerm_virtual_network.casino.id
}

# ---- Key Vault: RBAC, purge protection, no public network; the storage accounts' keys (HSM-backed).

resource "azurerm_key_vault" "casino" {
  name                          = "kv-{{ short[:13] }}-${var.stage}"
  location                      = var.region
  resource_group_name           = azurerm_resource_group.casino.name
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "premium"
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  public_network_access_enabled = false
  tags                          = local.tags

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}

resource "azurerm_private_endpoint" "vault" {
  name                = "${local.prefix}-vault"
  location            = var.region
  resource_group_name = azurerm_resource_group.casino.name
  subnet_id           = azurerm_subnet.endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "vault"
    private_connection_resource_id = azurerm_key_vault.casino.id
    subresource_names              = ["vault"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "vault"
    private_dns_zone_ids = [azurerm_private_dns_zone.casino["vault"].id]
  }
}

# Whoever runs Terraform creates the keys (RBAC vault: no access policy).
resource "azurerm_role_assignment" "deployer_manages_keys" {
  scope                = azurerm_key_vault.casino.id
  role_definition_name = "Key Vault Crypto Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_role_assignment" "deployer_manages_secrets" {
  scope                = azurerm_key_vault.casino.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_key_vault_key" "storage" {
  for_each = toset(["data", "host"])

  name            = "${each.value}-storage"
  key_vault_id    = azurerm_key_vault.casino.id
  key_type        = "RSA-HSM"
  key_size        = 3072
  key_opts        = ["wrapKey", "unwrapKey"]
  expiration_date = var.key_expiration_date

  rotation_policy {
    expire_after         = "P2Y"
    notify_before_expiry = "P30D"

    automatic {
      time_after_creation = "P90D"
    }
  }

  depends_on = [azurerm_role_assignment.deployer_manages_keys]
}

# The storage accounts unwrap their keys with an identity of their own (CKV2_AZURE_1).
resource "azurerm_user_assigned_identity" "storage" {
  name                = "${local.prefix}-storage-keys"
  location            = var.region
  resource_group_name = azurerm_resource_group.casino.name
  tags                = local.tags
}

resource "azurerm_role_assignment" "storage_unwraps_keys" {
  for_each = azurerm_key_vault_key.storage

  scope                = each.value.resource_versionless_id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_user_assigned_identity.storage.principal_id
}

# ---- Storage: "data" holds the casino's tables, queues and blobs; "host" the function apps' code and
# leases, so that the host's blob rights never reach the casino's data.

resource "azurerm_storage_account" "casino" {
  for_each = toset(["data", "host"])
  # checkov:skip=CKV_AZURE_206: zone-redundant (ZRS) keeps every copy in the region the jurisdiction's residency rule was checked for; geo-replication would copy player data to a paired region, which some allowed regions (italynorth, polandcentral, spaincentral) do not have
  # checkov:skip=CKV_AZURE_33: queue logging is the data account's diagnostic setting to Log Analytics (monitoring.tf); checkov reads the queue_properties block, which needs a shared key and is deprecated in azurerm 4

  name                              = "${local.storage_prefix}${substr(each.value, 0, 1)}"
  location                          = var.region
  resource_group_name               = azurerm_resource_group.casino.name
  account_kind                      = "StorageV2"
  account_tier                      = "Standard"
  account_replication_type          = "ZRS"
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  public_network_access_enabled     = false
  allow_nested_items_to_be_public   = false
  cross_tenant_replication_enabled  = false
  infrastructure_encryption_enabled = true
  local_user_enabled                = false
  # Queues and tables are encrypted with the account's (customer-managed) key, not Microsoft's.
  queue_encryption_key_type = "Account"
  table_encryption_key_type = "Account"
  tags                      = local.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.storage.id]
  }

  customer_managed_key {
    key_vault_key_id          = azurerm_key_vault_key.storage[each.value].versionless_id
    user_assigned_identity_id = azurerm_user_assigned_identity.storage.id
  }

  network_rules {
    default_action = "Deny"
    # Event Grid delivers to the queues and dead-letters to blobs as a trusted service, with its identity.
    bypass = ["AzureServices", "Logging", "Metrics"]
  }

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = 30
    }

    container_delete_retention_policy {
      days = 30
    }
  }

  sas_policy {
    expiration_period = "00.01:00:00"
  }

  depends_on = [azurerm_role_assignment.storage_unwraps_keys]
}

# Each account's private endpoints (blob, queue, table): the data account serves the casino's data, the
# host account the Functions host's code, leases and timer state.
resource "azurerm_private_endpoint" "data_storage" {
  for_each = toset(["blob", "queue", "table"])

  name                = "${local.prefix}-data-${each.value}"
  location            = var.region
  resource_group_name = azurerm_resource_group.casino.name
  subnet_id           = azurerm_subnet.endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "data-${each.value}"
    private_connection_resource_id = azurerm_storage_account.casino["data"].id
    subresource_names              = [each.value]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = each.value
    private_dns_zone_ids = [azurerm_private_dns_zone.casino[each.value].id]
  }
}

resource "azurerm_private_endpoint" "host_storage" {
  for_each = toset(["blob", "queue", "table"])

  name                = "${local.prefix}-host-${each.value}"
  location            = var.region
  resource_group_name = azurerm_resource_group.casino.name
  subnet_id           = azurerm_subnet.endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "host-${each.value}"
    private_connection_resource_id = azurerm_storage_account.casino["host"].id
    subresource_names              = [each.value]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = each.value
    private_dns_zone_ids = [azurerm_private_dns_zone.casino[each.value].id]
  }
}

# ---- The audit trail's table and its write-once archive.

resource "azurerm_storage_table" "audit_trail" {
  # checkov:skip=CKV2_AZURE_20: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                 = "AuditTrail"
  storage_account_name = azurerm_storage_account.casino["data"].name
}

resource "azurerm_storage_container" "audit_archive" {
  # checkov:skip=CKV2_AZURE_21: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                  = "audit-archive"
  storage_account_id    = azurerm_storage_account.casino["data"].id
  container_access_type = "private"
}

# WORM for the jurisdiction's retention ({{ jurisdiction.retention_years }} years, {{ cookiecutter.jurisdiction }}). A locked policy is
# irreversible (neither the container nor a blob can be deleted before the period ends), so only the
# stages in archive_lock_stages lock it; the others keep the same period unlocked and can be torn down.
resource "azurerm_storage_container_immutability_policy" "audit_archive" {
  storage_container_resource_manager_id = azurerm_storage_container.audit_archive.id
  immutability_period_in_days           = local.retention_days
  protected_append_writes_enabled       = true
  locked                                = local.lock_archive
}

# Event Grid's deliveries that failed every retry (one blob per event).
resource "azurerm_storage_container" "dead_letters" {
  # checkov:skip=CKV2_AZURE_21: storage analytics logging needs a shared key, which the account refuses (CKV2_AZURE_40); its reads, writes and deletes go to Log Analytics (monitoring.tf)
  name                  = "dead-letters"
  storage_account_id    = azurerm_storage_account.casino["data"].id
  container_access_type = "private"
}
{%- set kept = enabled_modules(cookiecutter) | select("in", ["reporting", "scheduled_jobs"]) | list %}
{%- if kept %}

# ---- The data account's lifecycle policy. Azure takes one policy per storage account (a second replaces
# the first), so each module whose container is kept for the jurisdiction's retention gives its rules
# (its lifecycle_rules output: name, prefix, cool_after_days, delete_after_days) and this one policy holds
# them all: blobs, their versions and snapshots deleted after the retention, never kept longer.
locals {
  lifecycle_rules = concat({% for name in kept %}module.{{ name }}.lifecycle_rules{{ ", " if not loop.last }}{% endfor %})
}

resource "azurerm_storage_management_policy" "data" {
  storage_account_id = azurerm_storage_account.casino["data"].id

  dynamic "rule" {
    for_each = { for rule in local.lifecycle_rules : rule.name => rule }

    content {
      name    = rule.key
      enabled = true

      filters {
        prefix_match = [rule.value.prefix]
        blob_types   = ["blockBlob"]
      }

      actions {
        base_blob {
          tier_to_cool_after_days_since_creation_greater_than = rule.value.cool_after_days
          delete_after_days_since_creation_greater_than       = rule.value.delete_after_days
        }

        version {
          delete_after_days_since_creation = rule.value.delete_after_days
        }

        snapshot {
          delete_after_days_since_creation_greater_than = rule.value.delete_after_days
        }
      }
    }
  }
}
{%- endif %}
