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

  # State: one blob container `tfstate` in a storage account made once before the first apply
  # (versioning, soft delete, shared keys off: the backend signs in with Entra ID). The state holds
  # resource names and ids, never a signing key (those are set in Key Vault outside Terraform). A partial
  # configuration: make deploy runs `terraform init` with the account (STATE_RESOURCE_GROUP=,
  # STATE_STORAGE_ACCOUNT=), container `tfstate`, `use_azuread_auth=true` and the key `<stage>.tfstate`,
  # so each stage keeps its own state (infra/README.md, Deploying).
  backend "azurerm" {}
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
