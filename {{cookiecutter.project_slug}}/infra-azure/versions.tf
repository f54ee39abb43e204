# {{ cookiecutter.project_name }}: the Azure infrastructure (Terraform). The azurerm provider is pinned
# exactly: 4.55.0 is the version whose schema the offline check knows (infra/schema/, make infra-check).

terraform {
  required_version = ">= 1.11.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "4.55.0"
    }
  }

  # State: one blob container in a storage account made once before the first apply (versioning, soft
  # delete, shared keys off: the backend signs in with Entra ID). The state holds resource names and
  # ids, never a signing key (those are set in Key Vault outside Terraform). Uncomment, set the account,
  # then run `terraform init -backend-config=key=<stage>.tfstate` so each stage keeps its own state:
  #
  # backend "azurerm" {
  #   resource_group_name  = "<state resource group>"
  #   storage_account_name = "<state storage account>"
  #   container_name       = "tfstate"
  #   use_azuread_auth     = true
  # }
}

provider "azurerm" {
  subscription_id = var.subscription_id
  # The storage accounts take no shared key (CKV2_AZURE_40): the provider's data-plane calls use Entra ID.
  storage_use_azuread = true

  features {
    key_vault {
      # Purge protection is on: a destroyed vault or key stays recoverable for its retention.
      purge_soft_delete_on_destroy    = false
      recover_soft_deleted_key_vaults = true
    }
  }
}
